import { createStrategy, distributedNoiseStd, fixedPointScale, planBuckets } from '../aggregation/index.ts'
import { NOISE_CLAMP_STDS, SINGLE_SUM } from './constants.ts'
import { jobThreshold, majorityThreshold, type TrainingJobSpec } from './job-spec.ts'
import type { ConfigureMessage } from './messages.ts'

// Every parameter of a round follows from the job spec (whose hash the chain records), the members asked
// to train, the round number and the global model hash. The coordinator derives its configure frames here;
// each participant derives them again and refuses a frame that differs (configure-check.ts).

/** One secure sum of a round: its members and Shamir threshold. */
export interface PlannedSum {
  bucketId: string
  members: string[]
  threshold: number
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
  if (bucketSize === undefined) return [{ bucketId: SINGLE_SUM, members, threshold: jobThreshold(spec) }]
  return planBuckets(members, bucketSize, `${globalHash}:${round}`).map((b) => ({
    bucketId: b.bucketId,
    members: [...b.memberIds],
    threshold: majorityThreshold(b.memberIds.length),
  }))
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
