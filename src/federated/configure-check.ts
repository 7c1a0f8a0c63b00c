import { DEFAULT_LOCAL_TRAINING_LIMITS, MIN_HIDDEN_UPDATES } from './constants.ts'
import { LocalTrainingLimitError, RoundParameterMismatchError, UnsafeRevealError } from './errors.ts'
import { canonicalJson, type TrainingJobSpec } from './job-spec.ts'
import type { ConfigureMessage } from './messages.ts'
import { type PlannedSum, planRoundSums, roundLocal, sumParameters } from './round-parameters.ts'

// A participant trusts nothing in a configure frame that the chain does not back: every round parameter is
// derived again from the spec whose hash the chain records, and the frame must match it field by field.

/** The job as the chain records it, as far as a participant checks a round against it. */
export interface ChainJobView {
  coordinator: `0x${string}`
  specHash: `0x${string}`
  status: string
  /** Rounds committed on chain: the round asked for must be the next one. */
  committedRounds: number
  /** Model hash of the last committed round (undefined before round 1). */
  lastModelHash?: `0x${string}`
}

/** The local training a participant accepts, whatever the job spec says. */
export interface LocalTrainingLimits {
  maxSteps: number
  maxBatchSize: number
  maxSeqLen: number
  maxLearningRate: number
  maxTokensPerRound: number
}

/** What a checked configure frame lets the participant work with. */
export interface CheckedRound {
  /** The sum this participant is in (its members and threshold). */
  sum: PlannedSum
  /** The coordinator's PeerId when it is a participant (its own input is no secret to it). */
  coordinatorPeerId: string | undefined
}

function mismatch(what: string, got: unknown, expected: unknown): never {
  throw new RoundParameterMismatchError(
    `The coordinator's ${what} (${canonicalJson(got)}) differs from what the job spec on chain dictates (${canonicalJson(expected)}); refusing the round. The coordinator runs other parameters than the job's: report it to the other members.`,
    { details: { what } },
  )
}

/**
 * Checks every parameter of a configure frame against the spec (already checked against the chain's spec
 * hash), the chain's round progress and this node's limits. Throws RoundParameterMismatchError or
 * LocalTrainingLimitError; returns this participant's sum.
 */
export function checkConfigure(
  cfg: ConfigureMessage,
  spec: TrainingJobSpec,
  job: ChainJobView,
  self: string,
  limits: LocalTrainingLimits = DEFAULT_LOCAL_TRAINING_LIMITS,
): CheckedRound {
  checkLocalTrainingLimits(spec.local, limits)
  if (cfg.round !== job.committedRounds + 1 || cfg.round > spec.rounds)
    mismatch('round', cfg.round, Math.min(job.committedRounds + 1, spec.rounds))
  if (!cfg.roundId.startsWith(`${cfg.jobId}:${cfg.round}:`))
    mismatch('round id', cfg.roundId, `${cfg.jobId}:${cfg.round}:<random>`)
  const expectedGlobal = cfg.round === 1 ? spec.baseModelHash : job.lastModelHash
  if (expectedGlobal === undefined) {
    throw new RoundParameterMismatchError(
      `Job ${cfg.jobId}'s spec records no baseModelHash, so the round-1 model cannot be checked against the chain; refusing. Recreate the job with a current node.`,
    )
  }
  if (cfg.globalHash.toLowerCase() !== expectedGlobal.toLowerCase())
    mismatch(`global model of round ${cfg.round}`, cfg.globalHash, expectedGlobal)

  const participants = new Set(spec.participants.map((p) => p.peerId))
  const roundMembers = new Set(cfg.roundMembers)
  if (roundMembers.size !== cfg.roundMembers.length || cfg.roundMembers.some((id) => !participants.has(id)))
    mismatch('round members', cfg.roundMembers, 'distinct participants of the job')
  if (!roundMembers.has(self)) mismatch('round members', cfg.roundMembers, `a list that names ${self}`)
  const sorted = [...cfg.roundMembers].sort()
  const sum = planRoundSums(spec, sorted, cfg.globalHash, cfg.round).find((s) => s.members.includes(self))!
  if (cfg.bucketId !== sum.bucketId) mismatch('bucket', cfg.bucketId, sum.bucketId)
  if (canonicalJson([...cfg.members].sort()) !== canonicalJson(sum.members))
    mismatch('members of the secure sum', cfg.members, sum.members)
  if (sum.members.length < sum.threshold)
    mismatch('members of the secure sum', sum.members.length, `at least the threshold ${sum.threshold}`)
  const expected = sumParameters(spec, sum.threshold)
  const got = { threshold: cfg.threshold, scale: cfg.scale, maxAbs: cfg.maxAbs, noiseStd: cfg.noiseStd }
  if (canonicalJson(got) !== canonicalJson(expected))
    mismatch('threshold, noise and fixed point', got, expected)
  const local = roundLocal(spec, cfg.round, sorted)
  if (canonicalJson(cfg.local) !== canonicalJson(local)) mismatch('local training', cfg.local, local)
  const coordinatorPeerId = spec.participants.find(
    (p) => p.address.toLowerCase() === job.coordinator.toLowerCase(),
  )?.peerId
  return { sum, coordinatorPeerId }
}

/** Throws LocalTrainingLimitError when the spec's local training exceeds what this node accepts. */
export function checkLocalTrainingLimits(local: TrainingJobSpec['local'], limits: LocalTrainingLimits): void {
  const tokens = local.steps * local.batchSize * local.seqLen
  const over = [
    local.steps > limits.maxSteps && `steps ${local.steps} > ${limits.maxSteps}`,
    local.batchSize > limits.maxBatchSize && `batchSize ${local.batchSize} > ${limits.maxBatchSize}`,
    local.seqLen > limits.maxSeqLen && `seqLen ${local.seqLen} > ${limits.maxSeqLen}`,
    local.learningRate > limits.maxLearningRate &&
      `learningRate ${local.learningRate} > ${limits.maxLearningRate}`,
    tokens > limits.maxTokensPerRound && `${tokens} tokens per round > ${limits.maxTokensPerRound}`,
  ].filter((x): x is string => typeof x === 'string')
  if (over.length > 0) {
    throw new LocalTrainingLimitError(
      `The job asks for more local training than this node accepts (${over.join(', ')}); refusing. Raise the node's localTrainingLimits to take part.`,
      { details: { over } },
    )
  }
}

/**
 * Refuses an unmask request whose survivors (the inputs the coordinator would learn the sum of) hold
 * fewer than two updates besides the coordinator's own, or name members outside this sum.
 */
export function checkRevealSet(survivors: readonly string[], checked: CheckedRound): void {
  const members = new Set(checked.sum.members)
  const stranger = survivors.find((id) => !members.has(id))
  if (stranger !== undefined)
    throw new UnsafeRevealError(`The unmask request names ${stranger}, who is not in this secure sum.`)
  const others = new Set(survivors)
  if (checked.coordinatorPeerId !== undefined) others.delete(checked.coordinatorPeerId)
  if (others.size < MIN_HIDDEN_UPDATES) {
    throw new UnsafeRevealError(
      `The unmask request would reveal a sum of ${others.size} update(s) besides the coordinator's own; at least ${MIN_HIDDEN_UPDATES} are needed to hide each one. Refusing to reveal shares; the round must be aborted.`,
      { details: { survivors: survivors.length, others: others.size } },
    )
  }
}
