import type { Logger } from '../log.ts'
import type { AdmissionCheck, AdmissionMode } from './admission-gate.ts'
import {
  type AnnouncementHost,
  AnnouncementService,
  type AnnouncementServiceInit,
} from './announcement-service.ts'
import { CommonsHost } from './commons-host.ts'
import type { PeerDirectory } from './peer-directory.ts'

/** Options of the node's network layer (see CommonsHostInit for every field). */
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

/** What the network layer needs from the rest of the node. */
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

/**
 * Creates the announcement service: publishes this node's signed offer on `/commons/announce/1` and feeds
 * validated announcements of others into `directory`.
 * @example
 * const directory = new PeerDirectory()
 * const announcer = createAnnouncementService({ host, directory }, { offer: () => ({ roots: store.ls().map((c) => c.root), serves, load, priceWeiPer1kTokens }) }, { log })
 */
export function createAnnouncementService(
  parts: { host: AnnouncementHost; directory: PeerDirectory },
  init: AnnouncementServiceInit,
  components: CommonsNetComponents,
): AnnouncementService {
  return new AnnouncementService({ ...parts, log: components.log.child({ component: 'announce' }) }, init)
}
