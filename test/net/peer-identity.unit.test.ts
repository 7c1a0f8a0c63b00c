import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { privateKeyToAddress } from 'viem/accounts'
import { addressFromPeerId, peerIdentityFromPrivateKey } from '../../src/net/peer-identity.ts'

describe('peer identity bridge', () => {
  it('derives the same EVM address as viem from the node key, via the PeerId alone', () => {
    for (let i = 0; i < 20; i++) {
      const raw = randomBytes(32)
      const { peerId, address, privateKey } = peerIdentityFromPrivateKey(raw)
      const expected = privateKeyToAddress(`0x${raw.toString('hex')}`)
      assert.equal(privateKey.type, 'secp256k1')
      assert.equal(peerId.type, 'secp256k1')
      assert.equal(address, expected)
      assert.equal(addressFromPeerId(peerId.toString()), expected)
    }
  })

  it('is deterministic: one key, one PeerId', () => {
    const raw = randomBytes(32)
    assert.equal(
      peerIdentityFromPrivateKey(raw).peerId.toString(),
      peerIdentityFromPrivateKey(raw).peerId.toString(),
    )
  })

  it('rejects keys of the wrong length', () => {
    assert.throws(() => peerIdentityFromPrivateKey(randomBytes(31)), { name: 'InvalidPeerIdError' })
  })

  it('rejects garbage and non-secp256k1 PeerIds by name', async () => {
    assert.throws(() => addressFromPeerId('not-a-peer-id'), { name: 'InvalidPeerIdError' })
    const ed = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    assert.throws(() => addressFromPeerId(ed), { name: 'InvalidPeerIdError' })
  })
})
