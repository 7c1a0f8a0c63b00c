import type { ChainReader } from '../chain/index.ts'
import { CommonsMembership, ModelRegistry, NodeRegistry } from '../chain/index.ts'
import type { Logger } from '../log.ts'

/** Registry events the node reacts to. */
export interface ChainWatcherHandlers {
  /** A node registered, updated or left, or membership or the admission policy changed: admission must be re-checked. */
  onNodesChanged(): void
  /** A model version was published: followers fetch it. */
  onVersionPublished(e: { modelId: bigint; versionId: bigint; contentRoot: `0x${string}` }): void
}

/**
 * Polls the registries for events with `eth_getLogs` over the blocks since the last poll, from the block
 * the node started at. Its own loop, not viem's filters: a filter's unwatch needs the chain (to uninstall
 * it) and, with the chain gone, never stopped polling; and a poll that fails keeps its place, so no event
 * is missed when the chain comes back. The timer holds no process open.
 */
export function watchRegistries(
  c: { reader: ChainReader; log: Logger },
  handlers: ChainWatcherHandlers,
  opts: { pollingIntervalMs: number },
): () => void {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let next: bigint | undefined
  let failures = 0
  const poll = async () => {
    const head = await c.reader.public.getBlockNumber({ cacheTime: 0 })
    next ??= head + 1n
    if (head < next) return
    const membership = c.reader.deployment.commonsMembership
    const [nodes, versions, members] = await Promise.all([
      c.reader.public.getContractEvents({
        address: c.reader.deployment.nodeRegistry,
        abi: NodeRegistry.abi,
        fromBlock: next,
        toBlock: head,
      }),
      c.reader.public.getContractEvents({
        address: c.reader.deployment.modelRegistry,
        abi: ModelRegistry.abi,
        eventName: 'VersionPublished',
        fromBlock: next,
        toBlock: head,
      }),
      membership === undefined
        ? []
        : c.reader.public.getContractEvents({
            address: membership,
            abi: CommonsMembership.abi,
            fromBlock: next,
            toBlock: head,
          }),
    ])
    next = head + 1n
    if (nodes.length > 0 || members.length > 0) handlers.onNodesChanged()
    for (const l of versions) {
      const { modelId, versionId, contentRoot } = l.args
      if (modelId !== undefined && versionId !== undefined && contentRoot !== undefined) {
        handlers.onVersionPublished({ modelId, versionId, contentRoot })
      }
    }
  }
  const loop = async () => {
    try {
      await poll()
      failures = 0
    } catch (err) {
      // Logged once per outage, not once per poll.
      if (failures++ === 0) c.log.warn({ err: (err as Error).message }, 'registry watch failed; retrying')
    }
    if (!stopped) {
      timer = setTimeout(loop, opts.pollingIntervalMs)
      timer.unref()
    }
  }
  void loop()
  return () => {
    stopped = true
    clearTimeout(timer)
  }
}
