import type { ChainReader } from '../chain/index.ts'
import { ModelRegistry, NodeRegistry } from '../chain/index.ts'
import type { Logger } from '../log.ts'

/** Registry events the node reacts to. */
export interface ChainWatcherHandlers {
  /** A node registered, updated or left: admission must be re-checked. */
  onNodesChanged(): void
  /** A model version was published: followers fetch it. */
  onVersionPublished(e: { modelId: bigint; versionId: bigint; contentRoot: `0x${string}` }): void
}

/** Polls the registries for events (viem filters), from the block the node started at. */
export function watchRegistries(
  c: { reader: ChainReader; log: Logger },
  handlers: ChainWatcherHandlers,
  opts: { pollingIntervalMs: number },
): () => void {
  const onError = (err: Error) => c.log.warn({ err: err.message }, 'registry watch failed; retrying')
  const unwatchNodes = c.reader.public.watchContractEvent({
    address: c.reader.deployment.nodeRegistry,
    abi: NodeRegistry.abi,
    pollingInterval: opts.pollingIntervalMs,
    onLogs: () => handlers.onNodesChanged(),
    onError,
  })
  const unwatchVersions = c.reader.public.watchContractEvent({
    address: c.reader.deployment.modelRegistry,
    abi: ModelRegistry.abi,
    eventName: 'VersionPublished',
    pollingInterval: opts.pollingIntervalMs,
    onLogs: (logs) => {
      for (const l of logs) {
        const { modelId, versionId, contentRoot } = l.args
        if (modelId !== undefined && versionId !== undefined && contentRoot !== undefined) {
          handlers.onVersionPublished({ modelId, versionId, contentRoot })
        }
      }
    },
    onError,
  })
  return () => {
    unwatchNodes()
    unwatchVersions()
  }
}
