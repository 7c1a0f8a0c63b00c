import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HISTORY_MAX_MINUTES, UsageHistory } from '../../src/metering/usage-history.ts'

const MIN = 60_000
const NOW = 1_800_000_000_000 // a whole hour in ms

test('usage history: per-minute records fall into aligned buckets, per model and side, oldest first', () => {
  const h = new UsageHistory()
  h.add('served', '1', NOW - 90 * MIN, 10, 5, 100n) // two buckets back
  h.add('served', '1', NOW - 30 * MIN, 1, 2, 7n) // the previous hour
  h.add('served', '1', NOW - 29 * MIN, 1, 2, 8n)
  h.add('served', '2', NOW - 30 * MIN, 1, 1, 1_000n) // another model
  h.add('consumed', '1', NOW + 5 * MIN, 3, 4, 9n) // the current bucket
  h.add('served', '1', 0, 1, 1, 1n) // a compacted record: no time, not history
  const b = h.query({ modelId: '1', bucketSeconds: 3_600, buckets: 3, nowMs: NOW + 10 * MIN })
  assert.deepEqual(
    b.map((x) => x.start),
    [NOW / 1000 - 7_200, NOW / 1000 - 3_600, NOW / 1000],
  )
  assert.deepEqual(
    b.map((x) => [x.served.requests, x.served.wei, x.consumed.requests, x.consumed.wei]),
    [
      [1, 100n, 0, 0n],
      [2, 15n, 0, 0n],
      [0, 0n, 1, 9n],
    ],
  )
  assert.equal(b[1]!.served.completionTokens, 4)
  const all = h.query({ bucketSeconds: 3_600, buckets: 3, nowMs: NOW + 10 * MIN })
  assert.equal(all[1]!.served.wei, 1_015n, 'all models together')
  const beyond = h.query({ modelId: '1', bucketSeconds: 60, buckets: 10, nowMs: NOW })
  assert.equal(
    beyond.reduce((s, x) => s + x.served.requests, 0),
    0,
    'older than the window: not in it',
  )
})

test('usage history: memory is bounded per model, the oldest minute goes first', () => {
  const h = new UsageHistory()
  const start = NOW - (HISTORY_MAX_MINUTES + 10) * MIN
  for (let i = 0; i < HISTORY_MAX_MINUTES + 10; i++) h.add('served', '1', start + i * MIN, 1, 1, 1n)
  const week = h.query({ modelId: '1', bucketSeconds: 86_400, buckets: 9, nowMs: NOW })
  assert.equal(
    week.reduce((s, x) => s + x.served.requests, 0),
    HISTORY_MAX_MINUTES,
  )
})
