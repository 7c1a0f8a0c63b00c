/**
 * The content-addressed store: files split into sha256-named chunks listed by a manifest whose hash is
 * the content root (content-store.ts, manifest.ts), and their replication between nodes over the
 * `/commons/chunks/1.0.0` protocol with an optional bulk TCP channel (replication/). See
 * docs/net-and-store.md.
 */
import type { Logger } from '../log.ts'
import { ContentStore, type ContentStoreInit } from './content-store.ts'
import {
  ChunkReplicator,
  type ChunkReplicatorInit,
  type ReplicationHost,
} from './replication/chunk-replicator.ts'

export type { ContentStore, GcResult, StoredContent } from './content-store.ts'
export type { ContentRoot, Manifest } from './manifest.ts'
export type { ChunkExportedEvent, ChunkStoredEvent, ChunkVerifiedEvent } from './progress.ts'
export type { FetchOptions, FetchResult, Misbehaviour } from './replication/chunk-fetcher.ts'
export type { ChunkReplicator, ChunkReplicatorInit, ReplicationHost } from './replication/chunk-replicator.ts'

/** Options of the node's content store. */
export type StoreInit = Omit<ContentStoreInit, 'log'>

/** What the store needs from the rest of the node. */
export interface StoreComponents {
  log: Logger
}

/**
 * Creates the content-addressed store under `init.dir` (call start() to load its index).
 * @example const store = createContentStore({ dir: layout.store }, { log }); await store.start()
 */
export function createContentStore(init: StoreInit, components: StoreComponents): ContentStore {
  return new ContentStore({ ...init, log: components.log.child({ component: 'store' }) })
}

/** What replication needs: a started host to serve and dial on, and the store it fills. */
export interface ChunkReplicatorComponents {
  host: ReplicationHost
  store: ContentStore
  log: Logger
}

/**
 * Creates the replication service (chunk protocol server + multi-peer fetch) over a started host and store.
 * @example const replicator = createChunkReplicator({ bulk: false }, { host, store, log }); await replicator.start()
 */
export function createChunkReplicator(
  init: ChunkReplicatorInit,
  components: ChunkReplicatorComponents,
): ChunkReplicator {
  return new ChunkReplicator({ ...components, log: components.log.child({ component: 'replication' }) }, init)
}

// Used by other domains.
export { NoProvidersError } from './errors.ts'
export { parseContentRoot } from './manifest.ts'
