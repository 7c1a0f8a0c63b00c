import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { describe, it } from 'node:test'
import { type Announcement, decodeAnnouncement, encodeAnnouncement } from '../../src/net/announcement.ts'
import { AnnouncementValidator } from '../../src/net/announcement-validator.ts'
import { PeerDirectory } from '../../src/net/peer-directory.ts'
import { peerIdentityFromPrivateKey } from '../../src/net/peer-identity.ts'

const root = (c: string): string => c.repeat(64)

function announcement(peerId: string, over: Partial<Announcement> = {}): Announcement {
  return {
    v: 1,
    peerId,
    addrs: [],
    roots: [root('a')],
    serves: [{ model: 'llama', version: '1' }],
    load: 0.5,
    priceWeiPer1kTokens: '1000',
    seqno: 1,
    timestamp: Date.now(),
    ...over,
  }
}

describe('announcement codec and validator', () => {
  const me = peerIdentityFromPrivateKey(randomBytes(32))
  const other = peerIdentityFromPrivateKey(randomBytes(32))
  const id = me.peerId.toString()

  it('round-trips a signed announcement', async () => {
    const a = announcement(id)
    assert.deepEqual(await decodeAnnouncement(await encodeAnnouncement(a, me.privateKey), id), a)
  })

  it('rejects oversized, malformed, badly signed, wrong-sender, replayed, stale and future announcements', async () => {
    const v = new AnnouncementValidator({ maxBytes: 2048, maxAgeMs: 60_000, maxFutureMs: 5_000 })
    const now = Date.now()
    const reason = async (data: Uint8Array, from = id): Promise<string> => {
      const r = await v.validate(data, from, now)
      return r.ok ? 'ok' : r.reason
    }
    assert.equal(await reason(new Uint8Array(4096)), 'oversized')
    assert.equal(await reason(Buffer.from('{nope')), 'malformed')
    assert.equal(await reason(Buffer.from(JSON.stringify({ body: '{"v":2}', sig: '' }))), 'malformed')
    // signed by another key while claiming to be `me`
    assert.equal(await reason(await encodeAnnouncement(announcement(id), other.privateKey)), 'bad-signature')
    // a valid announcement of `me` published by someone else
    assert.equal(
      await reason(await encodeAnnouncement(announcement(id), me.privateKey), other.peerId.toString()),
      'wrong-sender',
    )
    assert.equal(await reason(await encodeAnnouncement(announcement(id, { seqno: 10 }), me.privateKey)), 'ok')
    assert.equal(
      await reason(await encodeAnnouncement(announcement(id, { seqno: 10 }), me.privateKey)),
      'replayed',
    )
    assert.equal(
      await reason(await encodeAnnouncement(announcement(id, { seqno: 9 }), me.privateKey)),
      'replayed',
    )
    assert.equal(
      await reason(
        await encodeAnnouncement(announcement(id, { seqno: 11, timestamp: now - 120_000 }), me.privateKey),
      ),
      'stale',
    )
    assert.equal(
      await reason(
        await encodeAnnouncement(announcement(id, { seqno: 12, timestamp: now + 60_000 }), me.privateKey),
      ),
      'future',
    )
    assert.equal(await reason(await encodeAnnouncement(announcement(id, { seqno: 13 }), me.privateKey)), 'ok')
  })
})

describe('peer directory', () => {
  it('keeps the latest announcement per peer and answers queries sorted by penalty, load and latency', () => {
    const d = new PeerDirectory({ maxAgeMs: 1000 })
    const now = 1_000_000
    d.upsert(announcement('p1', { load: 0.9, seqno: 1 }), now)
    d.upsert(announcement('p2', { load: 0.1, seqno: 1, roots: [root('a'), root('b')] }), now)
    d.upsert(announcement('p3', { load: 0.1, seqno: 1, serves: [] }), now)
    assert.equal(d.upsert(announcement('p1', { load: 0.0, seqno: 1 }), now), false, 'same seqno ignored')
    d.setLatency('p3', 5)
    d.setLatency('p2', 50)
    assert.deepEqual(
      d.holdersOf(root('a'), now).map((e) => e.peerId),
      ['p3', 'p2', 'p1'],
    )
    assert.deepEqual(
      d.holdersOf(root('b'), now).map((e) => e.peerId),
      ['p2'],
    )
    assert.deepEqual(
      d.servingModel('llama', '1', now).map((e) => e.peerId),
      ['p2', 'p1'],
    )
    d.penalize('p3')
    assert.deepEqual(
      d.holdersOf(root('a'), now).map((e) => e.peerId),
      ['p2', 'p1', 'p3'],
    )
    assert.equal(d.upsert(announcement('p1', { load: 0.0, seqno: 2 }), now + 500), true)
    assert.deepEqual(
      d.all(now + 1200).map((e) => e.peerId),
      ['p1'],
      'stale entries are ignored',
    )
    assert.equal(d.prune(now + 1200), 2)
  })
})
