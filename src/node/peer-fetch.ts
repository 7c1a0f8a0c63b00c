import type { Logger } from '../log.ts'
import type { PeerDirectory } from '../net/index.ts'
import type { OnProgress } from '../progress.ts'
import type { ChunkReplicator, ChunkVerifiedEvent, FetchResult } from '../store/index.ts'
import { NoProvidersError, parseContentRoot } from '../store/index.ts'

/** Fetches a content root from the peers that announce it, lowering the score of any that lie. */
export function fetchFromPeers(
  c: { directory: PeerDirectory; replicator: ChunkReplicator; log: Logger },
  rootInput: string,
  opts: { signal?: AbortSignal; onProgress?: OnProgress<ChunkVerifiedEvent> },
): Promise<FetchResult> {
  const root = parseContentRoot(rootInput.startsWith('0x') ? rootInput.slice(2) : rootInput)
  const providers = c.directory.holdersOf(root).map((e) => e.peerId)
  if (providers.length === 0) {
    throw new NoProvidersError(
      `No peer announces content ${root} yet. Check \`commons peers\`; the fetch can be retried once a holder is online.`,
    )
  }
  return c.replicator.fetch(root, {
    providers,
    signal: opts.signal,
    onProgress: opts.onProgress,
    onPeerMisbehaved: (m) => {
      c.log.warn({ peerId: m.peerId }, 'peer served bad data; lowering its score')
      c.directory.penalize(m.peerId, 10)
    },
  })
}
