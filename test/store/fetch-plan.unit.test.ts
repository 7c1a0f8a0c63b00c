import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeBitfield, encodeBitfield } from '../../src/store/replication/bitfield.ts'
import { FetchPlan } from '../../src/store/replication/fetch-plan.ts'

const all = (n: number): Set<number> => new Set(Array.from({ length: n }, (_, i) => i))

describe('fetch plan (pure)', () => {
  it('spreads chunks over peers with a bounded number in flight per peer', () => {
    const plan = new FetchPlan([0, 1, 2, 3, 4, 5], 2)
    plan.addPeer('a', all(6))
    plan.addPeer('b', all(6))
    assert.equal(plan.next('a'), 0)
    assert.equal(plan.next('b'), 1)
    assert.equal(plan.next('a'), 2)
    assert.equal(plan.next('a'), undefined) // a's two slots are full
    assert.equal(plan.next('b'), 3)
    plan.succeed(0, 'a')
    assert.equal(plan.next('a'), 4)
    for (const [c, p] of [
      [1, 'b'],
      [2, 'a'],
      [3, 'b'],
      [4, 'a'],
    ] as const)
      plan.succeed(c, p)
    assert.equal(plan.done, false)
    assert.equal(plan.next('b'), 5)
    plan.succeed(5, 'b')
    assert.equal(plan.done, true)
  })

  it('only assigns chunks a peer holds', () => {
    const plan = new FetchPlan([0, 1, 2], 4)
    plan.addPeer('a', new Set([2]))
    assert.equal(plan.next('a'), 2)
    assert.equal(plan.next('a'), undefined)
    assert.deepEqual(plan.unservable(), [0, 1])
  })

  it('reassigns a failed chunk to another peer, never back to the one that failed it', () => {
    const plan = new FetchPlan([0], 4)
    plan.addPeer('a', all(1))
    plan.addPeer('b', all(1))
    assert.equal(plan.next('a'), 0)
    plan.fail(0, 'a')
    assert.equal(plan.next('a'), undefined)
    assert.equal(plan.next('b'), 0)
    plan.succeed(0, 'b')
    assert.equal(plan.done, true)
  })

  it('dropping a peer returns its in-flight chunks; with no holder left the plan is stuck', () => {
    const plan = new FetchPlan([0, 1, 2], 4)
    plan.addPeer('a', all(3))
    plan.next('a')
    plan.next('a')
    assert.equal(plan.inFlight, 2)
    plan.dropPeer('a')
    assert.equal(plan.inFlight, 0)
    assert.equal(plan.next('a'), undefined)
    assert.equal(plan.canProgress(), false)
    assert.deepEqual(plan.unservable().sort(), [0, 1, 2])
    plan.addPeer('c', all(3)) // a new holder appears
    assert.equal(plan.canProgress(), true)
  })

  it('a late success from a dropped peer still counts and is not fetched twice', () => {
    const plan = new FetchPlan([0, 1], 4)
    plan.addPeer('a', all(2))
    plan.addPeer('b', all(2))
    assert.equal(plan.next('a'), 0)
    plan.dropPeer('a')
    plan.succeed(0, 'a')
    assert.equal(plan.next('b'), 1)
    plan.succeed(1, 'b')
    assert.equal(plan.done, true)
  })
})

describe('have bitfield', () => {
  it('round-trips, most significant bit first', () => {
    const set = new Set([0, 3, 8, 17])
    const b64 = encodeBitfield(20, (i) => set.has(i))
    assert.deepEqual(Buffer.from(b64, 'base64'), Buffer.from([0b10010000, 0b10000000, 0b01000000]))
    assert.deepEqual(decodeBitfield(b64, 20), set)
    assert.deepEqual(decodeBitfield(b64, 5), new Set([0, 3]))
  })
})
