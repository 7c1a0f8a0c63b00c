import {
  createStrategy,
  distributedNoiseStd,
  fixedPointScale,
  type NeighbourhoodInit,
  neighbourhoodThreshold,
  planBuckets,
} from '../aggregation/index.ts'
import { MIN_SUM_MEMBERS, NOISE_CLAMP_STDS, SINGLE_SUM } from './constants.ts'
import { jobThreshold, majorityThreshold, type TrainingJobSpec } from './job-spec.ts'
import type { ConfigureMessage } from './messages.ts'

// Every parameter of a round follows from the job spec (whose hash the chain records), the members asked
// to train, the round number and the global model hash. The coordinator derives its configure frames here;
// each participant derives them again and refuses a frame that differs (configure-check.ts).

/** One secure sum of a round: its members and Shamir threshold, and its public graph when sparse. */
export interface PlannedSum {
  bucketId: string
  members: string[]
  threshold: number
  neighbourhood?: NeighbourhoodInit
}

/** The fixed-point and noise parameters of one sum. */
export interface SumParameters {
  threshold: number
  scale: number
  maxAbs: number
  noiseStd: number
}

/** One sum over every member, or the job's buckets (shuffled by a seed no member picks: the global hash). */
export function planRoundSums(
  spec: TrainingJobSpec,
  roundMembers: readonly string[],
  globalHash: string,
  round: number,
): PlannedSum[] {
  const members = [...roundMembers].sort()
  const bucketSize = spec.secureBuckets?.bucketSize
  const sums: PlannedSum[] =
    bucketSize === undefined
      ? [{ bucketId: SINGLE_SUM, members, threshold: jobThreshold(spec) }]
      : planBuckets(members, bucketSize, `${globalHash}:${round}`).map((b) => ({
          bucketId: b.bucketId,
          members: [...b.memberIds],
          threshold: majorityThreshold(b.memberIds.length),
        }))
  const degree = spec.privacy.sparseNeighbourhood?.degree
  if (degree === undefined) return sums
  // The graph's seed is public and picked by no member (like the buckets'): the global hash and the round.
  return sums.map((sum) =>
    degree >= sum.members.length
      ? sum
      : {
          ...sum,
          threshold: Math.max(MIN_SUM_MEMBERS, neighbourhoodThreshold(degree)),
          neighbourhood: { degree, seed: `${globalHash}:${round}:${sum.bucketId}`, members: sum.members },
        },
  )
}

/** Fixed-point range and DP noise of a sum with Shamir threshold `threshold`. */
export function sumParameters(spec: TrainingJobSpec, threshold: number): SumParameters {
  const { privacy } = spec
  const noiseStd =
    privacy.noiseMultiplier > 0
      ? distributedNoiseStd(privacy.noiseMultiplier, privacy.clipNorm, threshold)
      : 0
  const maxAbs = privacy.clipNorm + NOISE_CLAMP_STDS * noiseStd
  return { threshold, scale: fixedPointScale(maxAbs, spec.participants.length), maxAbs, noiseStd }
}

/** The local training of a round: the spec's, plus the proximal term the strategy sets. */
export function roundLocal(
  spec: TrainingJobSpec,
  round: number,
  roundMembers: readonly string[],
): ConfigureMessage['local'] {
  const clientConfig = createStrategy(spec.strategy).configureRound({ round, memberIds: [...roundMembers] })
  const proximalMu = clientConfig.get(roundMembers[0]!)?.proximalMu
  return proximalMu === undefined ? { ...spec.local } : { ...spec.local, proximalMu }
}
