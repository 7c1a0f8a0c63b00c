import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { prefetchBatches } from '../../src/inference/serving/prefetch.ts'

/** Yields `count` numbers, waiting `gapMs` before each after the first; `last` is the final one's value. */
async function* paced(count: number, gapMs: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) {
    if (i > 0 && gapMs > 0) await sleep(gapMs)
    yield i
  }
}

/** Each batch with the time it was handed over (ms since the start). */
async function collect(
  source: AsyncIterable<number>,
  options: Parameters<typeof prefetchBatches<number>>[1],
): Promise<Array<{ at: number; items: number[] }>> {
  const started = performance.now()
  const out: Array<{ at: number; items: number[] }> = []
  for await (const items of prefetchBatches(source, options))
    out.push({ at: performance.now() - started, items })
  return out
}

test('a fast source is handed over at most once per interval, every item once and in order', async () => {
  const batches = await collect(paced(40, 1), { minIntervalMs: 30 })
  assert.deepEqual(
    batches.flatMap((b) => b.items),
    Array.from({ length: 40 }, (_, i) => i),
  )
  // The first item goes at once, alone: coalescing never delays the first token.
  assert.deepEqual(batches[0]!.items, [0])
  assert.ok(batches[0]!.at < 15, `first batch after ${batches[0]!.at} ms`)
  // 40 items in batches ≥ 30 ms apart: one batch per interval the source took, not one per item.
  const took = batches.at(-1)!.at
  assert.ok(batches.length <= Math.ceil(took / 28) + 1, `${batches.length} batches over ${took} ms`)
  assert.ok(batches.length < 20, `${batches.length} batches`)
  for (let i = 1; i < batches.length - 1; i++) {
    assert.ok(
      batches[i]!.at - batches[i - 1]!.at >= 28,
      `batches ${i - 1} and ${i} only ${batches[i]!.at - batches[i - 1]!.at} ms apart`,
    )
  }
})

test('an urgent item (the final chunk) ends the wait at once, with what piled up before it', async () => {
  const started = performance.now()
  const batches = await collect(paced(3, 2), { minIntervalMs: 10_000, urgent: (n) => n === 2 })
  assert.deepEqual(
    batches.map((b) => b.items),
    [[0], [1, 2]],
  )
  assert.ok(performance.now() - started < 1_000, 'the urgent item waited for the interval')
})

test('the end of the source ends the wait at once', async () => {
  const started = performance.now()
  const batches = await collect(paced(3, 2), { minIntervalMs: 10_000 })
  assert.deepEqual(
    batches.map((b) => b.items),
    [[0], [1, 2]],
  )
  assert.ok(performance.now() - started < 1_000, 'the last items waited for the interval')
})

test('a source slower than the interval is handed over item by item, each at once', async () => {
  const batches = await collect(paced(5, 25), { minIntervalMs: 10 })
  assert.deepEqual(
    batches.map((b) => b.items),
    [[0], [1], [2], [3], [4]],
  )
})

test('the high-water mark ends the wait: at most that many items are held', async () => {
  const batches = await collect(paced(10, 0), { minIntervalMs: 10_000, highWaterMark: 4 })
  assert.deepEqual(
    batches.flatMap((b) => b.items),
    Array.from({ length: 10 }, (_, i) => i),
  )
  for (const b of batches) assert.ok(b.items.length <= 4, `batch of ${b.items.length}`)
})

test('a failing source still hands over what it produced, then throws', async () => {
  async function* failing(): AsyncGenerator<number> {
    yield 0
    await sleep(1)
    yield 1
    throw new Error('engine failed')
  }
  const seen: number[] = []
  await assert.rejects(async () => {
    for await (const items of prefetchBatches(failing(), { minIntervalMs: 10_000 })) seen.push(...items)
  }, /engine failed/)
  assert.deepEqual(seen, [0, 1])
})
