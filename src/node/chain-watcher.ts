import type { ChainReader } from '../chain/index.ts'
import { CommonsMembership, ModelRegistry, NodeRegistry } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import type { ChainCursor } from './chain-cursor.ts'

/** Registry events the node reacts to. */
export interface ChainWatcherHandlers {
  /** A node registered, updated or left, or membership or the admission policy changed: admission must be re-checked. */
  onNodesChanged(): void
  /** A model version was published: followers fetch it. */
  onVersionPublished(e: { modelId: bigint; versionId: bigint; contentRoot: `0x${string}` }): void
}

/** At most this many blocks per getLogs request (public RPCs cap the range): a long gap is read in steps. */
export const MAX_LOG_RANGE = 2_000n

/** The delay before the next poll after `failures` failed ones: doubling, capped, with ±25 % jitter. */
export function retryDelayMs(failures: number, baseMs: number, maxMs: number, random = Math.random): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(failures, 20))
  return Math.round(delay * (0.75 + random() * 0.5))
}

/**
 * Polls the registries for events with `eth_getLogs` over the blocks since the last poll. Its own loop, not
 * viem's filters: a filter's unwatch needs the chain (to uninstall it) and, with the chain gone, never
 * stopped polling. A poll that fails keeps its place, so no event is missed when the chain comes back;
 * with a `cursor` the place is also kept across restarts (else the watch starts at the head). While the
 * chain is down it retries with a bounded, jittered backoff, and logs only when the state changes.
 * The timer holds no process open.
 */
export function watchRegistries(
  c: { reader: ChainReader; log: Logger; cursor?: ChainCursor },
  handlers: ChainWatcherHandlers,
  opts: { pollingIntervalMs: number; maxRetryMs?: number },
): () => void {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let next: bigint | undefined
  let loaded = false
  let failures = 0
  const poll = async () => {
    if (!loaded) {
      const saved = await c.cursor?.load()
      if (saved !== undefined) next = saved + 1n
      loaded = true
    }
    const head = await c.reader.public.getBlockNumber({ cacheTime: 0 })
    if (next === undefined) {
      // First start without a cursor: from the head on, and the cursor says so at once.
      next = head + 1n
      await c.cursor?.save(head)
    }
    let from: bigint = next
    // A cursor past the head (the chain was reset under the same addresses): go on from the head.
    if (from > head + 1n) from = head + 1n
    next = from
    while (!stopped && head >= from) {
      const to: bigint = head < from + MAX_LOG_RANGE - 1n ? head : from + MAX_LOG_RANGE - 1n
      await pollRange(from, to)
      from = to + 1n
      next = from
      await c.cursor?.save(to)
    }
  }
  const pollRange = async (fromBlock: bigint, toBlock: bigint) => {
    const membership = c.reader.deployment.commonsMembership
    const [nodes, versions, members] = await Promise.all([
      c.reader.public.getContractEvents({
        address: c.reader.deployment.nodeRegistry,
        abi: NodeRegistry.abi,
        fromBlock,
        toBlock,
      }),
      c.reader.public.getContractEvents({
        address: c.reader.deployment.modelRegistry,
        abi: ModelRegistry.abi,
        eventName: 'VersionPublished',
        fromBlock,
        toBlock,
      }),
      membership === undefined
        ? []
        : c.reader.public.getContractEvents({
            address: membership,
            abi: CommonsMembership.abi,
            fromBlock,
            toBlock,
          }),
    ])
    if (nodes.length > 0 || members.length > 0) handlers.onNodesChanged()
    for (const l of versions) {
      const { modelId, versionId, contentRoot } = l.args
      if (modelId !== undefined && versionId !== undefined && contentRoot !== undefined) {
        handlers.onVersionPublished({ modelId, versionId, contentRoot })
      }
    }
  }
  const loop = async () => {
    let delay = opts.pollingIntervalMs
    try {
      await poll()
      if (failures > 0) c.log.info({ failures }, 'registry watch: chain reachable again; caught up')
      failures = 0
    } catch (err) {
      // Logged once per outage, not once per poll.
      if (failures === 0) c.log.warn({ err: (err as Error).message }, 'registry watch failed; retrying')
      failures += 1
      delay = retryDelayMs(failures - 1, opts.pollingIntervalMs, opts.maxRetryMs ?? 15_000)
    }
    if (!stopped) {
      timer = setTimeout(loop, delay)
      timer.unref()
    }
  }
  void loop()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
