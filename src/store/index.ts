import type { Logger } from '../log.ts'
import { ContentStore, type ContentStoreInit } from './content-store.ts'
import {
  ChunkReplicator,
  type ChunkReplicatorInit,
  type ReplicationHost,
} from './replication/chunk-replicator.ts'

/** Options of the node's content store. */
export type StoreInit = Omit<ContentStoreInit, 'log'>

/** What the store needs from the rest of the node. */
export interface StoreComponents {
  log: Logger
}

/**
 * Creates the content-addressed store under `init.dir` (call start() to load its index).
 * @example const store = createContentStore({ dir: join(dataDir, 'store') }, { log }); await store.start()
 */
export function createContentStore(init: StoreInit, components: StoreComponents): ContentStore {
  return new ContentStore({ ...init, log: components.log.child({ component: 'store' }) })
}

/**
 * Creates the replication service (chunk protocol server + multi-peer fetch) over a started host and store.
 * @example const replicator = createChunkReplicator({ host, store, log }); await replicator.start()
 */
export function createChunkReplicator(
  components: { host: ReplicationHost; store: ContentStore; log: Logger },
  init: ChunkReplicatorInit = {},
): ChunkReplicator {
  return new ChunkReplicator({ ...components, log: components.log.child({ component: 'replication' }) }, init)
}
