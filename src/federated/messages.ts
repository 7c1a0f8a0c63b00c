import { z } from 'zod'
import { localTrainingSchema } from './job-spec.ts'

// The frames of /commons/fl/2.0.0, in order. One stream per member per round, opened by the coordinator;
// each side validates every frame with these schemas. Binary payloads are base64. A participant checks
// every parameter of `configure` against the job spec the chain records (configure-check.ts).

const b64 = z
  .string()
  .max(96 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/)
const id = z.string().min(1).max(200)
const hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/) as unknown as z.ZodType<`0x${string}`>

/** A model on the wire: tensor names and GGUF shapes in order, then all values as one float32 buffer. */
export const wireModelSchema = z
  .object({
    layout: z
      .array(
        z
          .object({
            name: z.string().max(200),
            shape: z.array(z.number().int().positive()).min(1).max(8),
          })
          .strict(),
      )
      .max(100_000),
    data: b64,
  })
  .strict()

/**
 * Coordinator → member: the round, the job spec (checked against the on-chain hash), the members and the
 * global model. Every other field follows from these and is checked by the member.
 */
export const configureMessage = z
  .object({
    type: z.literal('configure'),
    jobId: z.string().regex(/^\d+$/),
    round: z.number().int().positive(),
    roundId: z.string().max(300),
    spec: z.unknown(),
    /** Every member asked to train this round (the buckets are planned over them). */
    roundMembers: z.array(id).min(1).max(255),
    /** The secure sum this member is in: the whole round, or one bucket. */
    bucketId: z.string().max(100),
    /** The members of that sum. */
    members: z.array(id).min(1).max(255),
    threshold: z.number().int().min(2),
    /** Fixed-point scale and clamp every member encodes with. */
    scale: z.number().positive(),
    maxAbs: z.number().positive(),
    /** Std of the Gaussian noise each member adds to its clipped delta (0: none). */
    noiseStd: z.number().min(0),
    local: localTrainingSchema.extend({ proximalMu: z.number().min(0).optional() }),
    global: wireModelSchema,
    /** sha-256 of the global values: the previous round's on-chain model hash. */
    globalHash: hex32,
  })
  .strict()

/** Member → coordinator: SecAgg phase-1 keys, signed with the member's node key. */
export const keysMessage = z
  .object({
    type: z.literal('keys'),
    memberId: id,
    channelPublicKey: b64,
    maskPublicKey: b64,
    selfSeedCommitment: b64,
    signature: b64,
  })
  .strict()

/** Coordinator → members: every member's signed keys. */
export const rosterMessage = z
  .object({ type: z.literal('roster'), entries: z.array(keysMessage.omit({ type: true })).max(255) })
  .strict()

const encryptedShare = z.object({ from: id, to: id, ciphertext: b64 }).strict()

/** Member → coordinator: sealed Shamir shares for every other member. */
export const sharesMessage = z
  .object({ type: z.literal('shares'), shares: z.array(encryptedShare).max(255) })
  .strict()

/** Coordinator → member: the sealed shares addressed to it. */
export const routedSharesMessage = z
  .object({ type: z.literal('routed'), shares: z.array(encryptedShare).max(255) })
  .strict()

/** Member → coordinator: the masked fixed-point delta and the plaintext measures of its contribution. */
export const maskedMessage = z
  .object({
    type: z.literal('masked'),
    masked: b64,
    numExamples: z.number().int().positive(),
    /** EIP-712 signature of the member's contribution claim (contribution-signature.ts), credited on chain. */
    contributionSignature: z
      .string()
      .regex(/^0x[0-9a-fA-F]{130}$/)
      .optional() as unknown as z.ZodOptional<z.ZodType<`0x${string}`>>,
    /** The registered datasets the member trained on, each with its part of the amount (signed with it). */
    datasets: z
      .object({
        ids: z.array(z.string().regex(/^\d{1,30}$/)).max(16),
        amounts: z.array(z.string().regex(/^\d{1,40}$/)).max(16),
      })
      .strict()
      .optional(),
    metrics: z
      .object({ loss: z.number(), initialLoss: z.number(), heldOutLoss: z.number().optional() })
      .strict(),
  })
  .strict()

/** Coordinator → survivors: who is in the sum and who dropped. */
export const unmaskMessage = z
  .object({ type: z.literal('unmask'), survivors: z.array(id).max(255), dropped: z.array(id).max(255) })
  .strict()

const revealed = z.object({ of: id, share: b64 }).strict()

/** Survivor → coordinator: its shares of survivors' self seeds and dropped members' mask keys. */
export const unmaskResponseMessage = z
  .object({
    type: z.literal('unmask-response'),
    selfSeedShares: z.array(revealed).max(255),
    maskKeyShares: z.array(revealed).max(255),
  })
  .strict()

/** Coordinator → survivors: the committed round and the new global model (kept for coordinator replacement). */
export const resultMessage = z
  .object({
    type: z.literal('result'),
    round: z.number().int().positive(),
    modelHash: hex32,
    global: wireModelSchema,
  })
  .strict()

/** Member → coordinator: the committed model is stored (this member can now take over the job). */
export const storedMessage = z
  .object({ type: z.literal('stored'), round: z.number().int().positive(), modelHash: hex32 })
  .strict()

export type ConfigureMessage = z.infer<typeof configureMessage>
export type KeysMessage = z.infer<typeof keysMessage>
export type MaskedMessage = z.infer<typeof maskedMessage>
export type WireModel = z.infer<typeof wireModelSchema>
