import { z } from 'zod'

/** Version of the external-trainer protocol (docs/trainer.md); bumped on incompatible changes. */
export const SUBPROCESS_PROTOCOL_VERSION = 1

/** A tensor the external trainer declares in its hello reply: GGUF name and GGUF shape (ne0 first). */
export const tensorSpecSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().positive()).min(1).max(4),
})

const metricsSchema = z.record(z.string(), z.number())

/** Every line an external trainer may write to stdout. */
export const trainerReplySchema = z.discriminatedUnion('type', [
  z.object({
    id: z.number().int(),
    type: z.literal('hello'),
    protocol: z.number().int(),
    trainer: z.string().optional(),
    tensors: z.array(tensorSpecSchema).min(1),
  }),
  z.object({ id: z.number().int(), type: z.literal('ok') }),
  z.object({
    id: z.number().int(),
    type: z.literal('progress'),
    step: z.number().int(),
    steps: z.number().int(),
    loss: z.number(),
  }),
  z.object({
    id: z.number().int(),
    type: z.literal('trained'),
    numExamples: z.number().int().nonnegative(),
    metrics: metricsSchema.and(z.object({ loss: z.number() })),
  }),
  z.object({
    id: z.number().int(),
    type: z.literal('evaluated'),
    loss: z.number(),
    tokens: z.number().int().nonnegative(),
  }),
  z.object({ id: z.number().int(), type: z.literal('error'), code: z.string(), message: z.string() }),
])

/** A parsed line from the external trainer. */
export type TrainerReply = z.infer<typeof trainerReplySchema>

/** Requests the host writes to the trainer's stdin (one JSON object per line). */
export type TrainerRequest =
  | { id: number; type: 'hello'; protocol: number }
  | { id: number; type: 'load_params'; path: string }
  | { id: number; type: 'get_params'; path: string }
  | {
      id: number
      type: 'train'
      data: string
      steps: number
      batchSize: number
      seqLen: number
      learningRate: number
      proximalMu: number
      seed: number
      output: string
    }
  | { id: number; type: 'evaluate'; data: string; seqLen: number; maxWindows: number }
  | { id: number; type: 'export_gguf'; path: string }
  | { id: number; type: 'cancel'; target: number }
  | { id: number; type: 'shutdown' }
