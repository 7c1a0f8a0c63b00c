import { hkdfSync } from 'node:crypto'
import { x25519 } from '@noble/curves/ed25519.js'

/** An X25519 key pair. */
export interface KeyPair {
  readonly publicKey: Uint8Array
  readonly secretKey: Uint8Array
}

/** A fresh X25519 key pair from the platform CSPRNG. */
export function generateKeyPair(): KeyPair {
  const { secretKey, publicKey } = x25519.keygen()
  return { secretKey, publicKey }
}

/** The X25519 public key of a secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(secretKey)
}

/** The raw X25519 shared secret of a secret key and a peer's public key. */
export function sharedSecret(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return x25519.getSharedSecret(secretKey, publicKey)
}

/**
 * A 32-byte key for one purpose: HKDF-SHA256 (RFC 5869) over the X25519 shared secret of `secretKey` and
 * `publicKey`, salted with the round id, with `label` and `context` (e.g. the ordered member pair) as info.
 */
export function agreeKey(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
  roundId: string,
  label: string,
  context: string,
): Uint8Array {
  return deriveKey(x25519.getSharedSecret(secretKey, publicKey), roundId, label, context)
}

/** HKDF-SHA256 of `secret` to 32 bytes, salted with the round id, info = label + context. */
export function deriveKey(secret: Uint8Array, roundId: string, label: string, context: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, Buffer.from(roundId, 'utf8'), `${label}|${context}`, 32))
}

/** The info context of a pairwise key: both member ids in a fixed order, so both ends derive the same key. */
export function pairContext(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`
}
