import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decodeFixedPoint,
  encodeFixedPoint,
  fixedPointScale,
} from '../../../src/aggregation/secagg/fixed-point.ts'
import { SecureAggregationClient } from '../../../src/aggregation/secagg/secure-aggregation-client.ts'
import { SecureAggregator } from '../../../src/aggregation/secagg/secure-aggregator.ts'
import { type CoordinatorInbox, runLocalSecureAggregation } from './local-round.ts'

const MEMBERS = ['alice', 'bob', 'carol', 'dave', 'erin']
const DIM = 4096
const CLIP = 1

function plaintextUpdates(seed: number): Map<string, Float32Array> {
  let s = seed
  const rand = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31
    return s / 2 ** 31
  }
  const out = new Map<string, Float32Array>()
  for (const id of MEMBERS) {
    const v = new Float32Array(DIM)
    for (let i = 0; i < DIM; i++) v[i] = (rand() * 2 - 1) * 0.5 * CLIP
    out.set(id, v)
  }
  return out
}

const scale = fixedPointScale(CLIP, MEMBERS.length)
// Fixed-point rounding (N / 2 scale) plus float32 rounding of the decoded sum (|sum| <= 2.5).
const TOL = MEMBERS.length / scale + 2.5 * 2 ** -23

function encodeAll(updates: Map<string, Float32Array>): Map<string, Uint32Array> {
  return new Map([...updates].map(([id, v]) => [id, encodeFixedPoint(v, scale, CLIP)]))
}

function trueSum(updates: Map<string, Float32Array>, ids: readonly string[]): Float64Array {
  const sum = new Float64Array(DIM)
  for (const id of ids) {
    const v = updates.get(id)!
    for (let i = 0; i < DIM; i++) sum[i]! += v[i]!
  }
  return sum
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length
  let ma = 0
  let mb = 0
  for (let i = 0; i < n; i++) {
    ma += a[i]!
    mb += b[i]!
  }
  ma /= n
  mb /= n
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma
    const y = b[i]! - mb
    sab += x * y
    saa += x * x
    sbb += y * y
  }
  return sab / Math.sqrt(saa * sbb)
}

test('with no dropout the unmasked sum equals the true sum within fixed-point error', async () => {
  const updates = plaintextUpdates(1)
  const result = await runLocalSecureAggregation(encodeAll(updates), { roundId: 'r-1', threshold: 3 })
  assert.deepEqual([...result.contributors], [...MEMBERS].sort())
  const err = maxAbsDiff(decodeFixedPoint(result.sum, scale), trueSum(updates, MEMBERS))
  assert.ok(err <= TOL, `fixed-point error ${err}`)
})

test('the coordinator never receives any member update in the clear, yet recovers the sum', async () => {
  const updates = plaintextUpdates(2)
  const encoded = encodeAll(updates)
  const inbox: CoordinatorInbox = []
  const result = await runLocalSecureAggregation(encoded, { roundId: 'r-2', threshold: 3, inbox })
  const masked = inbox.flatMap((e) => (e.kind === 'masked' ? [e.msg.masked] : []))
  assert.equal(masked.length, MEMBERS.length)
  for (const [id, plain] of updates) {
    const plainWords = encoded.get(id)!
    for (const m of masked) {
      let equal = 0
      for (let i = 0; i < DIM; i++) if (m[i] === plainWords[i]) equal++
      assert.ok(equal < 8, `${equal} coordinates of ${id}'s update appear unmasked`)
      const asSigned = Float64Array.from(m, (w) => (w | 0) / scale)
      assert.ok(Math.abs(correlation(asSigned, plain)) < 0.1, `masked vector correlates with ${id}'s update`)
      assert.ok(Math.abs(correlation(Float64Array.from(m), plain)) < 0.1)
    }
  }
  // Nothing else the coordinator got can carry a 4096-value update: keys are 32 bytes, shares ~33, sealed ~200.
  for (const e of inbox) {
    if (e.kind === 'shares') for (const s of e.msg.shares) assert.ok(s.ciphertext.length < 300)
    if (e.kind === 'unmask')
      for (const s of [...e.msg.selfSeedShares, ...e.msg.maskKeyShares]) assert.equal(s.share.length, 33)
  }
  assert.ok(maxAbsDiff(decodeFixedPoint(result.sum, scale), trueSum(updates, MEMBERS)) <= TOL)
})

test('5 members, one drops after sharing keys and one after uploading: the sum of uploads survives', async () => {
  const updates = plaintextUpdates(3)
  const result = await runLocalSecureAggregation(encodeAll(updates), {
    roundId: 'r-3',
    threshold: 3,
    dropBeforeUpload: ['bob'],
    dropBeforeUnmask: ['dave'],
  })
  assert.deepEqual([...result.dropped], ['bob'])
  assert.deepEqual([...result.contributors], ['alice', 'carol', 'dave', 'erin'])
  const err = maxAbsDiff(decodeFixedPoint(result.sum, scale), trueSum(updates, result.contributors))
  assert.ok(err <= TOL, `fixed-point error ${err}`)
})

test('5 members, two drop before uploading: the sum of the three others is recovered', async () => {
  const updates = plaintextUpdates(4)
  const result = await runLocalSecureAggregation(encodeAll(updates), {
    roundId: 'r-4',
    threshold: 3,
    dropBeforeUpload: ['alice', 'erin'],
  })
  assert.deepEqual([...result.dropped], ['alice', 'erin'])
  const err = maxAbsDiff(decodeFixedPoint(result.sum, scale), trueSum(updates, ['bob', 'carol', 'dave']))
  assert.ok(err <= TOL)
})

test('a member that drops before sharing keys is simply not part of the sum', async () => {
  const updates = plaintextUpdates(5)
  const result = await runLocalSecureAggregation(encodeAll(updates), {
    roundId: 'r-5',
    threshold: 3,
    dropBeforeSharing: ['carol'],
  })
  assert.deepEqual([...result.contributors], ['alice', 'bob', 'dave', 'erin'])
  assert.ok(maxAbsDiff(decodeFixedPoint(result.sum, scale), trueSum(updates, result.contributors)) <= TOL)
})

test('too few uploads for the threshold fails with SecAggBelowThresholdError', async () => {
  const updates = plaintextUpdates(6)
  await assert.rejects(
    runLocalSecureAggregation(encodeAll(updates), {
      roundId: 'r-6',
      threshold: 4,
      dropBeforeUpload: ['alice', 'bob'],
    }),
    { name: 'SecAggBelowThresholdError' },
  )
})

test('too few unmask responses fails with SecAggBelowThresholdError', async () => {
  const updates = plaintextUpdates(7)
  await assert.rejects(
    runLocalSecureAggregation(encodeAll(updates), {
      roundId: 'r-7',
      threshold: 4,
      dropBeforeUnmask: ['alice', 'bob'],
    }),
    { name: 'SecAggBelowThresholdError' },
  )
})

test('a client refuses an unmask request that lists a member as both survivor and dropped', async () => {
  const ids = ['a', 'b', 'c']
  const clients = ids.map(
    (memberId) => new SecureAggregationClient({ memberId, roundId: 'r-8', threshold: 2, vectorLength: 4 }),
  )
  const coordinator = new SecureAggregator({ roundId: 'r-8', threshold: 2, vectorLength: 4 })
  for (const c of clients) coordinator.receiveKeys(c.advertiseKeys())
  const roster = coordinator.roster()
  for (const c of clients) coordinator.receiveShares(await c.shareKeys(roster))
  const routed = clients.map((c) => coordinator.sharesFor(c.memberId))
  clients.forEach((c, i) => {
    coordinator.receiveMaskedInput(c.maskInput(new Uint32Array(4), routed[i]!))
  })
  assert.throws(() => clients[0]!.unmask({ survivors: ['a', 'b', 'c'], dropped: ['c'] }), {
    name: 'SecAggProtocolError',
  })
  assert.throws(() => clients[0]!.unmask({ survivors: ['a', 'b'], dropped: ['c', 'x'] }), {
    name: 'SecAggProtocolError',
  })
  const ok = clients[0]!.unmask(coordinator.unmaskRequest())
  assert.equal(ok.selfSeedShares.length, 3)
  assert.throws(() => clients[0]!.unmask(coordinator.unmaskRequest()), { name: 'SecAggProtocolError' })
})

test('a tampered sealed share is rejected by its recipient', async () => {
  const ids = ['a', 'b', 'c']
  const clients = ids.map(
    (memberId) => new SecureAggregationClient({ memberId, roundId: 'r-9', threshold: 2, vectorLength: 4 }),
  )
  const coordinator = new SecureAggregator({ roundId: 'r-9', threshold: 2, vectorLength: 4 })
  for (const c of clients) coordinator.receiveKeys(c.advertiseKeys())
  const roster = coordinator.roster()
  for (const c of clients) coordinator.receiveShares(await c.shareKeys(roster))
  const forA = coordinator.sharesFor('a').map((s) => ({ ...s, ciphertext: s.ciphertext.slice() }))
  forA[0]!.ciphertext[3]! ^= 1
  assert.throws(() => clients[0]!.maskInput(new Uint32Array(4), forA), { name: 'SecAggShareDecryptionError' })
})

test('a threshold of half the roster or less is refused', async () => {
  const clients = ['a', 'b', 'c', 'd'].map(
    (memberId) => new SecureAggregationClient({ memberId, roundId: 'r', threshold: 2, vectorLength: 1 }),
  )
  const roster = clients.map((c) => c.advertiseKeys())
  await assert.rejects(clients[0]!.shareKeys(roster), { name: 'SecAggConfigError' })
})

test('fixed point round-trips and sums without overflow at the bound', () => {
  const n = 7
  const s = fixedPointScale(2, n)
  assert.ok(n * 2 * s <= 2 ** 31 - 1)
  const v = Float32Array.from([2, -2, 0.5, -0.25, 3, -3])
  const enc = encodeFixedPoint(v, s, 2)
  const sum = new Uint32Array(v.length)
  for (let k = 0; k < n; k++) for (let i = 0; i < v.length; i++) sum[i] = sum[i]! + enc[i]!
  assert.deepEqual([...decodeFixedPoint(sum, s)], [14, -14, 3.5, -1.75, 14, -14])
  assert.throws(() => fixedPointScale(2 ** 30, 10), { name: 'SecAggConfigError' })
})

test('a vector spanning several unmasking blocks, with two dropouts, sums exactly mod 2^32', async () => {
  // Not a multiple of the 16 Ki-word block nor of the 4-word SIMD lane: covers every tail.
  const length = 2 * 16384 + 37
  const inputs = new Map<string, Uint32Array>()
  let s = 7
  for (const id of MEMBERS) {
    const words = new Uint32Array(length)
    for (let i = 0; i < length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0
      words[i] = s
    }
    inputs.set(id, words)
  }
  const result = await runLocalSecureAggregation(inputs, {
    roundId: 'r-blocks',
    threshold: 3,
    dropBeforeUpload: ['alice', 'dave'],
  })
  assert.deepEqual([...result.dropped], ['alice', 'dave'])
  const expected = new Uint32Array(length)
  for (const id of result.contributors) {
    const words = inputs.get(id)!
    for (let i = 0; i < length; i++) expected[i] = expected[i]! + words[i]!
  }
  assert.deepEqual(result.sum, expected)
})
