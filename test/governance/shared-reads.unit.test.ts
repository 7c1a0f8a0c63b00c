import assert from 'node:assert/strict'
import { test } from 'node:test'
import { SharedReads } from '../../src/governance/shared-reads.ts'

test('shared reads: alone reads at once; callers during a read share the next one, never the running one', async () => {
  const reads = new SharedReads<number>()
  let state = 0
  let loads = 0
  const gates: (() => void)[] = []
  // A read sees the state as it is when it starts, and ends when the test opens its gate.
  const load = () => {
    loads++
    const seen = state
    return new Promise<number>((resolve) => gates.push(() => resolve(seen)))
  }
  state = 1
  const first = reads.read('p', load)
  assert.equal(loads, 1, 'a caller alone reads at once')
  state = 2 // a write mined after the first read started
  const second = reads.read('p', load)
  state = 3
  const third = reads.read('p', load)
  assert.equal(loads, 1, 'callers during a read do not start one of their own yet')
  gates.shift()!()
  assert.equal(await first, 1)
  await new Promise((r) => setImmediate(r))
  assert.equal(loads, 2, 'one read for both queued callers')
  state = 4
  const fourth = reads.read('p', load) // the shared read is running now: this one must not join it
  gates.shift()!()
  assert.equal(await second, 3, 'the second caller sees its own write (and the third)')
  assert.equal(await third, 3)
  await new Promise((r) => setImmediate(r))
  gates.shift()!()
  assert.equal(await fourth, 4, 'a caller arriving while the shared read runs gets a later one')
  assert.equal(loads, 3)
  // Another key is independent, and a failed read fails only the callers that shared it.
  const failing = reads.read('q', () => Promise.reject(new Error('chain down')))
  await assert.rejects(failing, /chain down/)
  assert.equal(await reads.read('q', async () => 7), 7)
})
