import type { ConnectionGater, PeerId } from '@libp2p/interface'
import type { Logger } from '../log.ts'
import { type Address, addressFromPeerId } from './peer-identity.ts'

/** A peer as the admission check sees it: PeerId and the EVM address its key controls. */
export interface AdmissionCandidate {
  peerId: string
  address: Address
}

/** Resolves true when the peer may connect (e.g. its address is a registered node). */
export type AdmissionCheck = (peer: AdmissionCandidate) => Promise<boolean>

/** How peers are admitted: `registry` asks the check, `open` admits everyone (public networks). */
export type AdmissionMode = 'registry' | 'open'

/** Options of the admission gate. */
export interface AdmissionGateInit {
  mode: AdmissionMode
  isAdmitted?: AdmissionCheck
  cacheTtlMs: number
  log: Logger
}

/**
 * Decides which peers may hold a connection, caching decisions for a short TTL. Peers whose key is not
 * secp256k1 (no EVM address) are never admitted in registry mode.
 */
export class AdmissionGate {
  private readonly cache = new Map<string, { admitted: boolean; expires: number }>()

  constructor(private readonly init: AdmissionGateInit) {}

  /** True when the peer may connect; errors of the check count as "not admitted". */
  async admits(peerId: PeerId | string): Promise<boolean> {
    if (this.init.mode === 'open') return true
    const key = peerId.toString()
    const hit = this.cache.get(key)
    if (hit !== undefined && hit.expires > Date.now()) return hit.admitted
    let admitted = false
    try {
      const address = addressFromPeerId(peerId)
      admitted = (await this.init.isAdmitted?.({ peerId: key, address })) === true
    } catch (err) {
      this.init.log.warn({ err, peerId: key }, 'admission check failed; peer not admitted')
    }
    this.cache.set(key, { admitted, expires: Date.now() + this.init.cacheTtlMs })
    return admitted
  }

  /** Forgets cached decisions (call when the registry changed). */
  clear(): void {
    this.cache.clear()
  }

  /** A libp2p connection gater enforcing this gate once the remote proved its key (after Noise). */
  connectionGater(): ConnectionGater {
    const deny = async (peerId: PeerId): Promise<boolean> => {
      const ok = await this.admits(peerId)
      if (!ok) this.init.log.info({ peerId: peerId.toString() }, 'connection denied: peer not admitted')
      return !ok
    }
    return {
      // Loopback and private addresses are where members run; the gate is on identity, not address.
      denyDialMultiaddr: () => false,
      denyDialPeer: deny,
      denyInboundEncryptedConnection: deny,
      denyOutboundEncryptedConnection: deny,
    }
  }
}
