import { randomBytes } from 'node:crypto'
import {
  bucketMeansAsUpdates,
  createStrategy,
  NotEnoughUpdatesError,
  SecureSumOutOfBoundsError,
  type StrategyState,
  type Tensor,
  type TensorMap,
} from '../aggregation/index.ts'
import { RoundBelowThresholdError } from './errors.ts'
import type { FrameChannel } from './frame-channel.ts'
import type { TrainingJobSpec } from './job-spec.ts'
import type { ConfigureMessage } from './messages.ts'
import type { RoundProgressEvent } from './progress.ts'
import { type PlannedSum, planRoundSums, roundLocal, sumParameters } from './round-parameters.ts'
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
  const roundMembers = [...p.members].sort()
  const roundId = `${p.jobId}:${p.round}:${randomBytes(8).toString('hex')}`
  const local = roundLocal(p.spec, p.round, roundMembers)
  const emit = (event: RoundProgressEvent): void => p.onProgress?.(event)
  const plan = planRoundSums(p.spec, roundMembers, p.globalHash, p.round)
  const settled = await Promise.allSettled(
    plan.map((sum) =>
      runSecureSum(c, {
        bucketId: sum.bucketId,
        members: sum.members,
        ...(sum.neighbourhood !== undefined && { neighbourhood: sum.neighbourhood }),
        configure: configureFrame(
          p,
          sum,
          roundMembers,
          plan.length === 1 ? roundId : `${roundId}:${sum.bucketId}`,
          local,
        ),
        clipNorm: p.spec.privacy.clipNorm,
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
  // A bucket below its threshold, or whose sum is out of bounds (a member sent an out-of-range input), is
  // dropped; any other failure, or no sum at all, fails the round.
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []))
  const fatal =
    failures.find(
      (reason) =>
        !(reason instanceof RoundBelowThresholdError || reason instanceof SecureSumOutOfBoundsError),
    ) ?? (sums.length === 0 ? failures[0] : undefined)
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

/** The configure frame of one sum: every parameter follows from the spec (round-parameters.ts). */
function configureFrame(
  p: CoordinatorRoundParams,
  sum: PlannedSum,
  roundMembers: string[],
  roundId: string,
  local: ConfigureMessage['local'],
): ConfigureMessage {
  return {
    type: 'configure',
    jobId: p.jobId.toString(),
    round: p.round,
    roundId,
    spec: p.spec,
    roundMembers,
    bucketId: sum.bucketId,
    members: sum.members,
    ...sumParameters(p.spec, sum.threshold),
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
