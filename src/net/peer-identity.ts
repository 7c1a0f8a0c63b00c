import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { secp256k1 } from '@noble/curves/secp256k1.js'
import { keccak_256 } from '@noble/hashes/sha3.js'
import { getAddress } from 'viem'
import { InvalidPeerIdError } from './errors.ts'

/** An EVM address, checksummed. */
export type Address = `0x${string}`

/** A node's network identity: the libp2p key, its PeerId and the EVM address of the same key. */
export interface PeerIdentity {
  privateKey: PrivateKey
  peerId: PeerId
  address: Address
}

/**
 * Builds the libp2p identity from a node's raw 32-byte secp256k1 private key (the same key as its EVM account).
 * @example const { peerId, address } = peerIdentityFromPrivateKey(hexToBytes(nodeKey))
 */
export function peerIdentityFromPrivateKey(raw: Uint8Array): PeerIdentity {
  if (raw.byteLength !== 32) {
    throw new InvalidPeerIdError(`A node key must be 32 raw secp256k1 bytes, got ${raw.byteLength}.`)
  }
  const privateKey = privateKeyFromRaw(raw)
  const peerId = peerIdFromPrivateKey(privateKey)
  return { privateKey, peerId, address: addressFromPeerId(peerId) }
}

/**
 * The EVM address controlled by a secp256k1 PeerId: keccak-256 of the uncompressed public key, last 20 bytes.
 * @example addressFromPeerId('16Uiu2HAm...') // '0xdAb9...'
 */
export function addressFromPeerId(peer: PeerId | string): Address {
  let peerId: PeerId
  try {
    peerId = typeof peer === 'string' ? peerIdFromString(peer) : peer
  } catch (cause) {
    throw new InvalidPeerIdError(`Not a valid PeerId: ${String(peer)}.`, { cause })
  }
  if (peerId.type !== 'secp256k1' || peerId.publicKey === undefined) {
    throw new InvalidPeerIdError(
      `PeerId ${peerId.toString()} has a ${peerId.type} key; only secp256k1 PeerIds map to an EVM address.`,
    )
  }
  const uncompressed = secp256k1.Point.fromBytes(peerId.publicKey.raw).toBytes(false)
  const hash = keccak_256(uncompressed.subarray(1))
  return getAddress(`0x${Buffer.from(hash.subarray(12)).toString('hex')}`)
}

/** Parses a PeerId string, throwing InvalidPeerIdError on garbage. */
export function parsePeerId(value: string): PeerId {
  try {
    return peerIdFromString(value)
  } catch (cause) {
    throw new InvalidPeerIdError(`Not a valid PeerId: ${value}.`, { cause })
  }
}
