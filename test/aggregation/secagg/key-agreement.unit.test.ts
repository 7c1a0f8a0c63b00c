import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { test } from 'node:test'
import { x25519 } from '@noble/curves/ed25519.js'
import {
  generateKeyPair,
  publicKeyOf,
  sharedSecret,
  x25519PrivateKey,
  x25519PublicKey,
} from '../../../src/aggregation/secagg/key-agreement.ts'

// @noble/curves is the reference implementation; node:crypto's native X25519 must match it bit for bit.

test('native public keys equal the noble reference on random secret keys', () => {
  for (let i = 0; i < 64; i++) {
    const secretKey = new Uint8Array(randomBytes(32))
    assert.deepEqual(publicKeyOf(secretKey), x25519.getPublicKey(secretKey))
  }
})

test('native shared secrets equal the noble reference, from raw keys and from key objects', () => {
  for (let i = 0; i < 64; i++) {
    const a = new Uint8Array(randomBytes(32))
    const bPublic = x25519.getPublicKey(new Uint8Array(randomBytes(32)))
    const expected = x25519.getSharedSecret(a, bPublic)
    assert.deepEqual(sharedSecret(a, bPublic), expected)
    assert.deepEqual(sharedSecret(x25519PrivateKey(a), x25519PublicKey(bPublic)), expected)
  }
})

test('native shared secrets equal the noble reference for arbitrary 32-byte public keys', () => {
  // Random bytes include u-coordinates with the top bit set, which RFC 7748 says to ignore.
  for (let i = 0; i < 64; i++) {
    const a = new Uint8Array(randomBytes(32))
    const u = new Uint8Array(randomBytes(32))
    if (i % 2 === 0) u[31]! |= 0x80
    assert.deepEqual(sharedSecret(a, u), x25519.getSharedSecret(a, u))
  }
})

test('both sides of a generated key pair agree, and a low-order public key is refused', () => {
  const alice = generateKeyPair()
  const bob = generateKeyPair()
  assert.deepEqual(alice.publicKey, x25519.getPublicKey(alice.secretKey))
  assert.deepEqual(sharedSecret(alice.secretKey, bob.publicKey), sharedSecret(bob.secretKey, alice.publicKey))
  // u = 0 is a point of small order: the shared secret would be all zeros; both implementations throw.
  assert.throws(() => sharedSecret(alice.secretKey, new Uint8Array(32)))
  assert.throws(() => x25519.getSharedSecret(alice.secretKey, new Uint8Array(32)))
})

test('keys of the wrong length are rejected', () => {
  assert.throws(() => x25519PrivateKey(new Uint8Array(31)), { name: 'RangeError' })
  assert.throws(() => x25519PublicKey(new Uint8Array(33)), { name: 'RangeError' })
})
