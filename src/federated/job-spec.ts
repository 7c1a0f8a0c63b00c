import { keccak256, stringToHex } from 'viem'
import { z } from 'zod'
import { type StrategyConfig, strategyConfigSchema } from '../aggregation/index.ts'
import {
  DEFAULT_TAKEOVER_TIMEOUT_S,
  MIN_BUCKET_SIZE,
  MIN_PARTICIPANTS,
  MIN_SUM_MEMBERS,
  MIN_TAKEOVER_TIMEOUT_S,
} from './constants.ts'
import { InvalidTrainingJobError } from './errors.ts'

const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/) as unknown as z.ZodType<`0x${string}`>
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/) as unknown as z.ZodType<`0x${string}`>

/** One member of a job: its libp2p PeerId (which embeds the key of its EVM address). */
export const jobParticipantSchema = z.object({ peerId: z.string().min(10).max(200), address }).strict()

/** Privacy settings: client-side clipping (always, it bounds the fixed-point range) and optional DP noise. */
export const jobPrivacySchema = z
  .object({
    /** L2 clip bound C of each member's delta. */
    clipNorm: z.number().positive(),
    /** Noise multiplier z of distributed DP-FedAvg (0: no noise). */
    noiseMultiplier: z.number().min(0).default(0),
    /** Shamir threshold t; default: the smallest majority of the participants, and at least 3. */
    threshold: z.number().int().min(MIN_SUM_MEMBERS).optional(),
    /**
     * SecAgg+ sparse neighbourhoods (aggregation/secagg/neighbourhood.ts): each member shares and masks only
     * with `degree` neighbours of a public graph drawn from the global model hash and the round, so its cost
     * grows with the degree instead of the members. The threshold is then a strict majority of the degree + 1
     * holders of each member's secrets (at least 3), and a sum is unmasked only when its survivors are
     * connected in the graph. A sum of `degree` members or fewer runs the full protocol.
     */
    sparseNeighbourhood: z
      .object({
        degree: z
          .number()
          .int()
          .min(2)
          .max(254)
          .refine((k) => k % 2 === 0, 'the degree must be even'),
      })
      .strict()
      .optional(),
  })
  .strict()

/**
 * Secure aggregation in buckets, for the robust strategies: each round the members are shuffled into
 * buckets of at least `bucketSize`, each bucket is summed securely on its own, and the strategy runs over
 * the bucket means (aggregation/secure-buckets.ts). The coordinator sees only those means.
 */
export const secureBucketsSchema = z
  .object({ bucketSize: z.number().int().min(MIN_BUCKET_SIZE).max(255) })
  .strict()

/** The local training every participant runs per round. */
export const localTrainingSchema = z
  .object({
    steps: z.number().int().positive().max(100_000),
    batchSize: z.number().int().positive().max(4096),
    seqLen: z.number().int().positive().max(8192),
    learningRate: z.number().positive(),
  })
  .strict()

/** How the shares minted at the end are split: `examples` (by example counts) or `equal-per-round`. */
export const contributionSchema = z
  .object({
    rule: z.enum(['examples', 'equal-per-round']),
    /** Shares (wei, decimal string) the proposal mints in total, split pro-rata over contributions. */
    sharesToMint: z.string().regex(/^\d+$/),
  })
  .strict()

/**
 * The registered datasets a job may train on and the purpose it serves (compute-to-data): each member trains
 * only on those of its datasets that are named here, that it owns or holds a licence to, that are not
 * withdrawn and whose consent terms allow `purpose` (a purpose name, or its 0x bytes32 id).
 */
export const jobDataSchema = z
  .object({
    purpose: z.string().min(1).max(100),
    datasets: z
      .array(z.string().regex(/^\d{1,30}$/))
      .min(1)
      .max(256),
  })
  .strict()

/** A federated training job: what to train, from what, with whom, how, and how to reward it. */
export const trainingJobSpecSchema = z
  .object({
    /** Model id in the ModelRegistry (decimal string). */
    modelId: z.string().regex(/^\d+$/),
    /** Registry version the job starts from ("0": the base is not a registered version). */
    baseVersionId: z.string().regex(/^\d+$/).default('0'),
    /** Content root (0x + 64 hex) of the base GGUF. */
    baseContentRoot: hex32,
    /**
     * Model hash (wire-model.ts: sha-256 of the float32 values) of the base parameters: what round 1 trains
     * on. Set at job creation; participants refuse a round-1 model that does not hash to it.
     */
    baseModelHash: hex32.optional(),
    /** Model shape of the built-in trainer, so every member builds the same graph. */
    modelConfig: z.record(z.string(), z.union([z.number(), z.boolean()])).optional(),
    strategy: strategyConfigSchema,
    privacy: jobPrivacySchema,
    /** Bucketed secure aggregation (required by trimmed-mean, coordinate-median and krum). */
    secureBuckets: secureBucketsSchema.optional(),
    participants: z.array(jobParticipantSchema).min(MIN_PARTICIPANTS).max(255),
    /** PeerId of the first coordinator (one of the participants). */
    coordinator: z.string(),
    rounds: z.number().int().positive().max(10_000),
    local: localTrainingSchema,
    contribution: contributionSchema,
    /** Registered datasets and purpose (absent: members train on unregistered local corpora, as before). */
    data: jobDataSchema.optional(),
    /**
     * Seconds without a coordinator write before another participant may take over: at least the ledger's
     * floor, which exceeds the longest round with default phase deadlines (round-bound.ts).
     */
    takeoverTimeoutSeconds: z.number().int().min(MIN_TAKEOVER_TIMEOUT_S).default(DEFAULT_TAKEOVER_TIMEOUT_S),
    /** Free text for the version's card and the proposal description. */
    description: z.string().max(2000).default(''),
    /** Distinguishes otherwise identical jobs (random by default at creation). */
    nonce: z.string().max(100).default(''),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (!spec.participants.some((p) => p.peerId === spec.coordinator)) {
      ctx.addIssue({ code: 'custom', message: 'the coordinator must be one of the participants' })
    }
    const ids = new Set(spec.participants.map((p) => p.peerId))
    if (ids.size !== spec.participants.length) {
      ctx.addIssue({ code: 'custom', message: 'participants must be distinct' })
    }
    const t = spec.privacy.threshold
    if (t !== undefined && (t * 2 <= spec.participants.length || t > spec.participants.length)) {
      ctx.addIssue({ code: 'custom', message: 'privacy.threshold must exceed half of the participants' })
    }
    const problem = bucketProblem(spec.strategy, spec.participants.length, spec.secureBuckets?.bucketSize)
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem })
    if (spec.privacy.sparseNeighbourhood !== undefined && t !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'privacy.threshold applies to the full protocol; with sparseNeighbourhood it follows from the degree',
      })
    }
    if (spec.secureBuckets !== undefined && t !== undefined) {
      ctx.addIssue({
        code: 'custom',
        message:
          'privacy.threshold applies to one secure sum; with secureBuckets each bucket uses a majority of its members',
      })
    }
  })

/** Why a strategy cannot run over the job's secure sums, or undefined when it can. */
function bucketProblem(
  strategy: StrategyConfig,
  participants: number,
  bucketSize: number | undefined,
): string | undefined {
  // Secure aggregation yields only a sum: robust rules need several updates, so they run over bucket means.
  const robust = ['trimmed-mean', 'coordinate-median', 'krum'].includes(strategy.kind)
  if (bucketSize === undefined) {
    return robust
      ? `strategy ${strategy.kind} needs individual updates and a secure sum yields one; set secureBuckets.bucketSize so it runs over bucket means`
      : undefined
  }
  if (bucketSize > participants)
    return `secureBuckets.bucketSize ${bucketSize} exceeds the ${participants} participants`
  const buckets = Math.floor(participants / bucketSize)
  if (strategy.kind === 'krum' && buckets < Math.max(2 * strategy.f + 3, strategy.m ?? 1)) {
    return `krum with f=${strategy.f} needs at least ${Math.max(2 * strategy.f + 3, strategy.m ?? 1)} buckets; ${participants} participants in buckets of ${bucketSize} make ${buckets}`
  }
  return undefined
}

export type TrainingJobSpec = z.infer<typeof trainingJobSpecSchema>
export type TrainingJobSpecInput = z.input<typeof trainingJobSpecSchema>

/** Validates a job spec from outside (file, HTTP body, frame); throws InvalidTrainingJobError. */
export function parseJobSpec(value: unknown): TrainingJobSpec {
  const parsed = trainingJobSpecSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidTrainingJobError(
      `The training job spec is invalid: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    )
  }
  return parsed.data
}

/** Canonical JSON (sorted keys, no whitespace) of a value made of plain JSON data. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** The spec hash recorded on chain: keccak-256 of the canonical JSON of the parsed spec. */
export function jobSpecHash(spec: TrainingJobSpec): `0x${string}` {
  return keccak256(stringToHex(canonicalJson(spec)))
}

/** Shamir threshold of a job: the configured one, else the smallest strict majority (at least 3). */
export function jobThreshold(spec: TrainingJobSpec): number {
  return spec.privacy.threshold ?? majorityThreshold(spec.participants.length)
}

/**
 * The smallest strict majority of `members`, and at least MIN_SUM_MEMBERS: a sum is never unmasked with
 * fewer survivors, so it always hides at least two updates besides the coordinator's own.
 */
export function majorityThreshold(members: number): number {
  return Math.max(MIN_SUM_MEMBERS, Math.floor(members / 2) + 1)
}

/** The spec with its base model hash set (job creation); refuses a spec that names another one. */
export function bindBaseModel(spec: TrainingJobSpec, baseModelHash: `0x${string}`): TrainingJobSpec {
  if (spec.baseModelHash !== undefined && spec.baseModelHash.toLowerCase() !== baseModelHash.toLowerCase()) {
    throw new InvalidTrainingJobError(
      `The spec's baseModelHash ${spec.baseModelHash} is not the hash of the base model's parameters (${baseModelHash}); remove it or use the matching base.`,
    )
  }
  return parseJobSpec({ ...spec, baseModelHash })
}
