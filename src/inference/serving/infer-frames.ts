import { z } from 'zod'
import {
  MAX_CHUNK_TEXT_LENGTH,
  MAX_CHUNK_TOKENS,
  MAX_GENERATED_TOKENS,
  MAX_PROMPT_BYTES,
} from './constants.ts'
import { InferenceTaskSchema } from './inference-task.ts'

const ContentRoot = z.string().regex(/^(0x)?[0-9a-fA-F]{64}$/)

/** On whose behalf a peer asks: the registry model the root is a version of, and the consumer. */
const Scope = {
  modelId: z
    .string()
    .regex(/^\d{1,30}$/)
    .optional(),
  consumer: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .optional(),
  /** Names this attempt in the provider's receipt (paid models). */
  requestId: z
    .string()
    .regex(/^0x[0-9a-fA-F]{64}$/)
    .optional(),
}

/**
 * First frame of an `/commons/infer/1.0.0` stream: generate (resuming after `generated` tokens) or embed.
 * Every field is bounded so a peer cannot make us buffer or compute without limit.
 */
export const InferRequestFrameSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('generate'),
      contentRoot: ContentRoot,
      task: InferenceTaskSchema,
      generated: z.array(z.number().int().min(0)).max(MAX_GENERATED_TOKENS),
      ...Scope,
    })
    .strict(),
  z
    .object({
      type: z.literal('embed'),
      contentRoot: ContentRoot,
      input: z.string().max(MAX_PROMPT_BYTES),
      ...Scope,
    })
    .strict(),
])

/** One step of a generation stream (one token, or several merged); the last one carries `finishReason` and `usage`. */
export const ChunkFrameSchema = z
  .object({
    type: z.literal('chunk'),
    index: z.number().int().min(0),
    tokens: z.array(z.number().int().min(0)).max(MAX_CHUNK_TOKENS),
    text: z.string().max(MAX_CHUNK_TEXT_LENGTH),
    finishReason: z.enum(['stop', 'length', 'eos']).optional(),
    usage: z
      .object({ promptTokens: z.number().int().min(0), completionTokens: z.number().int().min(0) })
      .strict()
      .optional(),
    /** The provider's signed receipt of a paid request (last chunk only; the gateway's meter checks it). */
    receipt: z
      .object({
        requestId: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
        promptTokens: z.number().int().min(0),
        completionTokens: z.number().int().min(0),
        priceWei: z.string().regex(/^\d{1,78}$/),
        signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/),
      })
      .strict()
      .optional(),
  })
  .strict()

/**
 * Sent by the serving peer before the first chunk while the request waits for a free sequence: its place
 * in the queue (1 = next). Additive: the requester keeps waiting instead of declaring the peer stalled,
 * within its total deadline.
 */
export const QueuedFrameSchema = z
  .object({ type: z.literal('queued'), position: z.number().int().min(1).max(1_000_000) })
  .strict()

/** What a generation stream carries: chunks, and queue progress before the first chunk. */
export const GenerationFrameSchema = z.discriminatedUnion('type', [ChunkFrameSchema, QueuedFrameSchema])

/** The answer to an embed request. */
export const EmbeddingFrameSchema = z
  .object({
    type: z.literal('embedding'),
    vector: z.array(z.number()).max(65_536),
    promptTokens: z.number().int().min(0),
  })
  .strict()

export type InferRequestFrame = z.infer<typeof InferRequestFrameSchema>
export type ChunkFrame = z.infer<typeof ChunkFrameSchema>

/** On whose behalf a request is made (the serving node applies the model's usage policy to it). */
export interface RequestScope {
  modelId?: string
  consumer?: `0x${string}`
  requestId?: `0x${string}`
}
