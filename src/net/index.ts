/**
 * The node's peer-to-peer layer: the libp2p host with its admission gate (commons-host.ts), signed
 * gossip announcements (announcement-service.ts) and the directory of what peers offer
 * (peer-directory.ts), plus the size-bounded frames every stream protocol speaks (frames.ts).
 * Net imports no other domain: admission is a callback the composition root builds from the chain.
 * See docs/net-and-store.md.
 */
import type { Logger } from '../log.ts'
import type { AdmissionCheck, AdmissionMode } from './admission-gate.ts'
import {
  type AnnouncementHost,
  AnnouncementService,
  type AnnouncementServiceInit,
} from './announcement-service.ts'
import { CommonsHost } from './commons-host.ts'
import { PeerDirectory, type PeerDirectoryInit } from './peer-directory.ts'

export type { AdmissionCheck, AdmissionMode } from './admission-gate.ts'
export type { Announcement } from './announcement.ts'
export type {
  AnnouncementHost,
  AnnouncementService,
  AnnouncementServiceInit,
  NodeOffer,
} from './announcement-service.ts'
export type { CommonsHost, ProtocolHandler, RemotePeer } from './commons-host.ts'
export type { PeerDirectory, PeerDirectoryInit, PeerEntry } from './peer-directory.ts'

/** Options of the node's libp2p host (see CommonsHostInit for every field). */
export interface CommonsNetInit {
  /** The node's raw 32-byte secp256k1 key: at once its EVM account and its libp2p identity. */
  privateKey: Uint8Array
  listen?: string[]
  bootstrap?: string[]
  /** `registry` (default) or `open`. */
  admission?: AdmissionMode
  /** Built by the composition root from the NodeRegistry: is this address a registered node? */
  isAdmitted?: AdmissionCheck
  admissionCacheTtlMs?: number
}

/** What the host needs from the rest of the node. */
export interface CommonsNetComponents {
  log: Logger
}

/**
 * Creates the libp2p host (not yet started). Net imports no chain code: admission is a callback.
 * @example
 * const host = createCommonsHost({ privateKey, isAdmitted: async ({ address }) => registry.isNode(address) }, { log })
 * await host.start(); registry.onChange(host.onRegistryChanged)
 */
export function createCommonsHost(init: CommonsNetInit, components: CommonsNetComponents): CommonsHost {
  return new CommonsHost({ ...init, log: components.log.child({ component: 'net' }) })
}

/** What the announcement service needs: a started host to gossip on, the directory it feeds. */
export interface AnnouncementServiceComponents {
  host: AnnouncementHost
  directory: PeerDirectory
  log: Logger
}

/**
 * Creates the announcement service: publishes this node's signed offer on `/commons/announce/1` and feeds
 * validated announcements of others into `directory`.
 * @example
 * const directory = createPeerDirectory()
 * const announcer = createAnnouncementService({ offer: () => ({ roots, serves, load, priceWeiPer1kTokens: '0' }) }, { host, directory, log })
 */
export function createAnnouncementService(
  init: AnnouncementServiceInit,
  components: AnnouncementServiceComponents,
): AnnouncementService {
  return new AnnouncementService(
    { ...components, log: components.log.child({ component: 'announce' }) },
    init,
  )
}

/**
 * Creates the directory of the latest valid announcement of every peer (pure state).
 * @example const directory = createPeerDirectory(); directory.holdersOf(root)
 */
export function createPeerDirectory(init?: PeerDirectoryInit): PeerDirectory {
  return new PeerDirectory(init)
}

// Used by other domains.
export { FrameTooLargeError, MalformedFrameError, RemoteError, StreamEndedError } from './errors.ts'
export {
  closeWithError,
  encodeJsonFrame,
  encodeLength,
  errorFrame,
  FrameReader,
  parseJsonFrame,
  request,
  withTimeout,
  writeJson,
  writeRaw,
} from './frames.ts'
export { addressFromPeerId, parsePeerId } from './peer-identity.ts'
