import { randomBytes } from 'node:crypto'
import {
  bucketMeansAsUpdates,
  createStrategy,
  distributedNoiseStd,
  fixedPointScale,
  NotEnoughUpdatesError,
  planBuckets,
  type StrategyState,
  type Tensor,
  type TensorMap,
} from '../aggregation/index.ts'
import { NOISE_CLAMP_STDS, SINGLE_SUM } from './constants.ts'
import { RoundBelowThresholdError } from './errors.ts'
import type { FrameChannel } from './frame-channel.ts'
import { jobThreshold, majorityThreshold, type TrainingJobSpec } from './job-spec.ts'
import type { ConfigureMessage } from './messages.ts'
import type { RoundProgressEvent } from './progress.ts'
import {
  type MemberReport,
  type RoundTimeouts,
  runSecureSum,
  type SecureSumComponents,
  type SecureSumOutcome,
} from './secure-sum-session.ts'
import { sha256Hex } from './wire-bytes.ts'
import { encodeWireModel } from './wire-model.ts'

export type { MemberReport, RoundTimeouts } from './secure-sum-session.ts'

/** The outcome of one securely aggregated round (nothing committed yet). */
export interface CoordinatorRoundResult {
  round: number
  /** New global model. */
  global: Map<string, Tensor>
  strategyState: StrategyState
  /** Members whose masked input is in a sum, with their plaintext measures. */
  contributors: MemberReport[]
  /** Members dropped at any phase (in bucket mode, also every member of a bucket that failed). */
  dropped: string[]
  /** sha-256 over (member id, sha-256 of its masked upload), in member order. */
  inputsCommitment: `0x${string}`
  /** Open channels to the contributors, for the result message after the commit. */
  channels: Map<string, FrameChannel>
  wallMs: number
}

/** Parameters of runCoordinatorRound. */
export interface CoordinatorRoundParams {
  jobId: bigint
  spec: TrainingJobSpec
  round: number
  global: TensorMap
  globalHash: `0x${string}`
  strategyState?: StrategyState
  /** PeerIds asked to train this round. */
  members: string[]
  timeouts: RoundTimeouts
  signal?: AbortSignal
  onProgress?: (event: RoundProgressEvent) => void
}

/** One secure sum to run: its members and Shamir threshold. */
interface PlannedSum {
  bucketId: string
  members: string[]
  threshold: number
}

/**
 * Drives one round as coordinator. Without `spec.secureBuckets` the round is one secure sum over every
 * member and the strategy applies the mean delta; with it, each bucket is summed securely on its own and
 * the strategy (typically a robust rule) runs over the bucket means. The coordinator only ever holds
 * masked vectors and sums.
 */
export async function runCoordinatorRound(
  c: SecureSumComponents,
  p: CoordinatorRoundParams,
): Promise<CoordinatorRoundResult> {
  const started = performance.now()
  const strategy = createStrategy(p.spec.strategy)
  const clientConfig = strategy.configureRound({ round: p.round, memberIds: p.members })
  const roundId = `${p.jobId}:${p.round}:${randomBytes(8).toString('hex')}`
  const local = { ...p.spec.local, proximalMu: clientConfig.get(p.members[0]!)?.proximalMu }
  const emit = (event: RoundProgressEvent): void => p.onProgress?.(event)
  const plan = planSums(p)
  const settled = await Promise.allSettled(
    plan.map((sum) =>
      runSecureSum(c, {
        bucketId: sum.bucketId,
        members: sum.members,
        configure: configureFrame(p, sum, plan.length === 1 ? roundId : `${roundId}:${sum.bucketId}`, local),
        timeouts: p.timeouts,
        signal: p.signal,
        emit,
      }),
    ),
  )
  const sums = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))
  const closeAll = (err: Error): void => {
    for (const s of sums) for (const ch of s.channels.values()) ch.abort(err)
  }
  // A bucket below its threshold is dropped; any other failure, or no sum at all, fails the round.
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []))
  const fatal =
    failures.find((reason) => !(reason instanceof RoundBelowThresholdError)) ??
    (sums.length === 0 ? failures[0] : undefined)
  if (fatal !== undefined) {
    closeAll(fatal instanceof Error ? fatal : new Error(String(fatal)))
    throw fatal
  }
  const global = aggregateSums(strategy, p, sums, closeAll)
  const contributors = sums.flatMap((s) => s.contributors).sort()
  const dropped = new Set(sums.flatMap((s) => [...s.dropped]))
  for (const [i, s] of settled.entries()) {
    if (s.status === 'rejected') for (const id of plan[i]!.members) dropped.add(id)
  }
  const reports = new Map(sums.flatMap((s) => [...s.reports]))
  const maskedHashes = new Map(sums.flatMap((s) => [...s.maskedHashes]))
  const channels = new Map(sums.flatMap((s) => [...s.channels]))
  for (const [peerId, ch] of channels) {
    if (!contributors.includes(peerId)) {
      ch.abort(new Error('not a contributor'))
      channels.delete(peerId)
    }
  }
  emit({
    type: 'federated:round:aggregated',
    detail: { jobId: `${p.jobId}`, round: p.round, members: contributors },
  })
  return {
    round: p.round,
    global: global.global,
    strategyState: global.state,
    contributors: contributors.map((id) => reports.get(id)!),
    dropped: [...dropped].sort(),
    inputsCommitment: sha256Hex(
      ...contributors.flatMap((id) => [
        Buffer.from(id, 'utf8'),
        Buffer.from(maskedHashes.get(id)!.slice(2), 'hex'),
      ]),
    ),
    channels,
    wallMs: performance.now() - started,
  }
}

/** One sum over every member, or the job's buckets (shuffled by a seed no member picks: the global hash). */
function planSums(p: CoordinatorRoundParams): PlannedSum[] {
  const members = [...p.members].sort()
  const bucketSize = p.spec.secureBuckets?.bucketSize
  if (bucketSize === undefined) return [{ bucketId: SINGLE_SUM, members, threshold: jobThreshold(p.spec) }]
  return planBuckets(members, bucketSize, `${p.globalHash}:${p.round}`).map((b) => ({
    bucketId: b.bucketId,
    members: [...b.memberIds],
    threshold: majorityThreshold(b.memberIds.length),
  }))
}

/** The configure frame of one sum: fixed-point range and DP noise follow from its threshold. */
function configureFrame(
  p: CoordinatorRoundParams,
  sum: PlannedSum,
  roundId: string,
  local: ConfigureMessage['local'],
): ConfigureMessage {
  const { privacy } = p.spec
  const noiseStd =
    privacy.noiseMultiplier > 0
      ? distributedNoiseStd(privacy.noiseMultiplier, privacy.clipNorm, sum.threshold)
      : 0
  const maxAbs = privacy.clipNorm + NOISE_CLAMP_STDS * noiseStd
  return {
    type: 'configure',
    jobId: p.jobId.toString(),
    round: p.round,
    roundId,
    spec: p.spec,
    threshold: sum.threshold,
    scale: fixedPointScale(maxAbs, p.spec.participants.length),
    maxAbs,
    noiseStd,
    local,
    global: encodeWireModel(p.global),
    globalHash: p.globalHash,
  }
}

/** Applies the strategy to the sums' means (unweighted within a sum: secure aggregation yields only the sum). */
function aggregateSums(
  strategy: ReturnType<typeof createStrategy>,
  p: CoordinatorRoundParams,
  sums: SecureSumOutcome[],
  closeAll: (err: Error) => void,
): { global: Map<string, Tensor>; state: StrategyState } {
  const updates = bucketMeansAsUpdates(
    p.global,
    sums.map((s) => ({ bucketId: s.bucketId, sum: s.sum, count: s.contributors.length })),
  )
  try {
    const { global, state } = strategy.aggregate(p.global, updates, p.strategyState)
    return { global, state }
  } catch (err) {
    const error =
      err instanceof NotEnoughUpdatesError
        ? new RoundBelowThresholdError(
            `Round ${p.round}: only ${sums.length} buckets were summed; strategy ${strategy.name} needs more. Retry when more members are online.`,
            { cause: err, details: { round: p.round, buckets: sums.length } },
          )
        : err
    closeAll(error instanceof Error ? error : new Error(String(error)))
    throw error
  }
}
