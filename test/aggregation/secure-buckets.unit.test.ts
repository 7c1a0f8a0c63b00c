import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createStrategy } from '../../src/aggregation/index.ts'
import {
  decodeFixedPoint,
  encodeFixedPoint,
  fixedPointScale,
} from '../../src/aggregation/secagg/fixed-point.ts'
import { type BucketSum, bucketMeansAsUpdates, planBuckets } from '../../src/aggregation/secure-buckets.ts'
import { flattenTensorMap } from '../../src/aggregation/tensor-map.ts'
import { globalModel, maxDiff, meanOf, randomUpdate, scaled } from './fixtures.ts'
import { runLocalSecureAggregation } from './secagg/local-round.ts'

test('buckets are deterministic, cover every member once and have at least the bucket size', () => {
  const ids = Array.from({ length: 14 }, (_, i) => `m${i}`)
  const a = planBuckets(ids, 3, 'seed-1')
  assert.deepEqual(a, planBuckets([...ids].reverse(), 3, 'seed-1'))
  assert.notDeepEqual(a, planBuckets(ids, 3, 'seed-2'))
  assert.equal(a.length, 4)
  assert.deepEqual(a.flatMap((b) => b.memberIds).sort(), [...ids].sort())
  for (const b of a) assert.ok(b.memberIds.length >= 3)
  assert.throws(() => planBuckets(ids.slice(0, 2), 3, 's'), { name: 'InvalidStrategyConfigError' })
})

test('median over securely aggregated buckets neutralizes a x100 attacker while the coordinator sees only bucket sums', async () => {
  const global = globalModel(4)
  const honest = Array.from({ length: 14 }, (_, i) => randomUpdate(`m${i}`, 60 + i, 10, 0.01, 0.004))
  const updates = [...honest, scaled(honest[0]!, 'attacker', 100)]
  const clip = 2
  const buckets = planBuckets(
    updates.map((u) => u.memberId),
    3,
    'round-9',
  )
  const sums: BucketSum[] = []
  for (const b of buckets) {
    const scale = fixedPointScale(clip, b.memberIds.length)
    const inputs = new Map(
      b.memberIds.map((id) => [
        id,
        encodeFixedPoint(flattenTensorMap(updates.find((u) => u.memberId === id)!.tensors), scale, clip),
      ]),
    )
    const { sum, contributors } = await runLocalSecureAggregation(inputs, {
      roundId: `round-9/${b.bucketId}`,
      threshold: 2,
    })
    sums.push({ bucketId: b.bucketId, sum: decodeFixedPoint(sum, scale), count: contributors.length })
  }
  const bucketUpdates = bucketMeansAsUpdates(global, sums)
  const honestMean = meanOf(honest)
  const median = createStrategy({ kind: 'coordinate-median' }).aggregate(global, bucketUpdates)
  const fedavg = createStrategy({ kind: 'fedavg' }).aggregate(global, bucketUpdates)
  assert.ok(maxDiff(median.delta, honestMean) < 0.004, `median moved ${maxDiff(median.delta, honestMean)}`)
  assert.ok(maxDiff(fedavg.delta, honestMean) > 0.02, `fedavg moved ${maxDiff(fedavg.delta, honestMean)}`)
})
