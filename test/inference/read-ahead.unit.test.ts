import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readAhead } from '../../src/inference/engine/read-ahead.ts'

/** A source that records how far it was pulled and whether it was closed. */
function source(n: number, failAt = -1) {
  const state = { pulled: 0, closed: false }
  async function* gen() {
    try {
      for (let i = 0; i < n; i++) {
        await new Promise((r) => setImmediate(r))
        state.pulled = i + 1
        if (i === failAt) throw new Error(`failed at ${i}`)
        yield i
      }
    } finally {
      state.closed = true
    }
  }
  return { state, it: gen() }
}

test('read-ahead yields every item in order and runs at most `depth` items ahead of the consumer', async () => {
  const { state, it } = source(10)
  const seen: number[] = []
  let ahead = 0
  for await (const x of readAhead(it, 2)) {
    await new Promise((r) => setTimeout(r, 5)) // a slow consumer
    assert.ok(state.pulled - x <= 3, `pulled ${state.pulled} while the consumer is at ${x}`)
    if (state.pulled > x + 1) ahead++
    seen.push(x)
  }
  assert.ok(ahead > 0, 'the source never ran ahead of a slow consumer')
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  assert.equal(state.closed, true)
})

test('a consumer that stops early closes the source (a sequence is never left held)', async () => {
  const { state, it } = source(100)
  for await (const x of readAhead(it, 2)) if (x === 3) break
  assert.equal(state.closed, true)
  assert.ok(state.pulled <= 7, `pulled ${state.pulled} items for a consumer that took 4`)
})

test('an error reaches the consumer after the items before it, in order', async () => {
  const { state, it } = source(10, 4)
  const seen: number[] = []
  await assert.rejects(
    (async () => {
      for await (const x of readAhead(it, 3)) seen.push(x)
    })(),
    /failed at 4/,
  )
  assert.deepEqual(seen, [0, 1, 2, 3])
  assert.equal(state.closed, true)
})

test('once the signal fires nothing read ahead is yielded: the consumer gets AbortedError next', async () => {
  const { state, it } = source(100)
  const controller = new AbortController()
  const seen: number[] = []
  await assert.rejects(
    (async () => {
      for await (const x of readAhead(it, 3, controller.signal)) {
        seen.push(x)
        if (x === 2) {
          await new Promise((r) => setTimeout(r, 10)) // let the source run ahead
          controller.abort()
        }
      }
    })(),
    { name: 'AbortedError' },
  )
  assert.deepEqual(seen, [0, 1, 2])
  assert.equal(state.closed, true)
})
