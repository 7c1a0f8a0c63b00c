import { createHash } from 'node:crypto'
import type { ClientUpdate } from './client-update.ts'
import { InvalidStrategyConfigError } from './errors.ts'
import { type TensorMap, unflattenTensorMap } from './tensor-map.ts'

/*
 * Robust aggregation needs individual updates; secure aggregation hides them. The middle road used when a
 * job asks for both: members are shuffled into buckets of at least `bucketSize`, each bucket runs its own
 * secure aggregation, and the robust rule runs over the bucket means. The coordinator sees only means of
 * >= bucketSize members; b Byzantine members can spoil at most b buckets, so a rule tolerating f outliers
 * needs at least 2f + 3 buckets for Krum or 2f + 1 for the median. (Bucketing before robust aggregation:
 * Karimireddy, He, Jaggi, "Byzantine-Robust Learning on Heterogeneous Datasets via Bucketing", ICLR 2022.)
 */

/** One bucket of members that secure-aggregate together. */
export interface Bucket {
  readonly bucketId: string
  readonly memberIds: readonly string[]
}

/**
 * Deterministically shuffles members (by SHA-256 of seed and id, so any node can recompute it and a member
 * cannot choose its bucket without controlling the seed) into buckets of at least `bucketSize` members.
 * @example
 * const buckets = planBuckets(memberIds, 3, roundSeedHex)
 */
export function planBuckets(memberIds: readonly string[], bucketSize: number, seed: string): Bucket[] {
  if (!Number.isInteger(bucketSize) || bucketSize < 1) {
    throw new InvalidStrategyConfigError(`Bucket size must be an integer >= 1, got ${bucketSize}.`)
  }
  if (memberIds.length < bucketSize) {
    throw new InvalidStrategyConfigError(
      `${memberIds.length} members cannot fill one bucket of ${bucketSize}.`,
    )
  }
  const key = (id: string) => createHash('sha256').update(`${seed}|${id}`).digest('hex')
  const order = [...new Set(memberIds)].map((id) => ({ id, k: key(id) })).sort((a, b) => (a.k < b.k ? -1 : 1))
  const count = Math.floor(order.length / bucketSize)
  const buckets: string[][] = Array.from({ length: count }, () => [])
  // Deal round-robin so bucket sizes differ by at most one and every bucket has >= bucketSize members.
  order.forEach(({ id }, i) => {
    buckets[i % count]!.push(id)
  })
  return buckets.map((memberIds, i) => ({ bucketId: `bucket-${i}`, memberIds: memberIds.sort() }))
}

/** A bucket's securely aggregated sum (decoded to floats, flattened in the global model's tensor order). */
export interface BucketSum {
  readonly bucketId: string
  readonly sum: Float32Array
  /** Members whose inputs are in the sum. */
  readonly count: number
}

/** Turns bucket sums into pseudo-updates (the bucket means) that any Strategy can aggregate. */
export function bucketMeansAsUpdates(global: TensorMap, sums: readonly BucketSum[]): ClientUpdate[] {
  return sums.map((b) => {
    const mean = new Float32Array(b.sum.length)
    for (let i = 0; i < mean.length; i++) mean[i] = b.sum[i]! / b.count
    return { memberId: b.bucketId, tensors: unflattenTensorMap(global, mean), numExamples: b.count }
  })
}
