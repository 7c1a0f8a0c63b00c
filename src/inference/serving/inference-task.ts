import { z } from 'zod'
import type { ChatMessage, GenerateRequest, GenerationChunk, InferenceEngine } from '../index.ts'
import { MAX_GENERATED_TOKENS, MAX_PROMPT_BYTES, MAX_STOP_STRINGS } from './constants.ts'

/** Sampling and stopping parameters of one generation, as they travel between nodes. */
export const SamplingParamsSchema = z
  .object({
    maxTokens: z.number().int().min(1).max(MAX_GENERATED_TOKENS),
    temperature: z.number().min(0).max(2),
    topP: z.number().gt(0).max(1),
    /** Always set by the node that accepted the request, so any peer can resume the generation exactly. */
    seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    stop: z.array(z.string().min(1).max(256)).max(MAX_STOP_STRINGS),
  })
  .strict()

/** What to generate from: chat messages (rendered by the serving node's template) or a completion prompt. */
export const InferenceInputSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('chat'),
      messages: z
        .array(
          z
            .object({
              role: z.enum(['system', 'user', 'assistant']),
              content: z.string().max(MAX_PROMPT_BYTES),
            })
            .strict(),
        )
        .min(1)
        .max(1024),
    })
    .strict(),
  z
    .object({
      kind: z.literal('completion'),
      prompt: z.union([
        z.string().min(1).max(MAX_PROMPT_BYTES),
        z.array(z.number().int().min(0)).min(1).max(65_536),
      ]),
    })
    .strict(),
])

/** A generation task independent of where it runs: the unit the router places and resumes. */
export const InferenceTaskSchema = z
  .object({ input: InferenceInputSchema, params: SamplingParamsSchema })
  .strict()

export type SamplingParams = z.infer<typeof SamplingParamsSchema>
export type InferenceInput = z.infer<typeof InferenceInputSchema>
export type InferenceTask = z.infer<typeof InferenceTaskSchema>

/** Turns a task into the engine's request: chat input goes through the model's template and adds its stop strings. */
export async function toGenerateRequest(
  engine: InferenceEngine,
  task: InferenceTask,
  signal?: AbortSignal,
): Promise<GenerateRequest> {
  const { params } = task
  const base = {
    maxTokens: params.maxTokens,
    temperature: params.temperature,
    topP: params.topP,
    seed: params.seed,
    signal,
  }
  if (task.input.kind === 'completion') return { ...base, prompt: task.input.prompt, stop: params.stop }
  const chat = await engine.applyChatTemplate(task.input.messages as ChatMessage[])
  return { ...base, prompt: chat.prompt, stop: [...new Set([...params.stop, ...chat.stop])] }
}

/** Runs a task on a local engine, continuing after `generated` tokens when they are given. */
export async function* runOnEngine(
  engine: InferenceEngine,
  task: InferenceTask,
  generated: readonly number[],
  signal?: AbortSignal,
): AsyncGenerator<GenerationChunk> {
  const request = await toGenerateRequest(engine, task, signal)
  yield* generated.length === 0 ? engine.generate(request) : engine.resume(request, generated)
}

/** An embedding and the number of tokens it read. */
export interface Embedding {
  vector: Float32Array
  promptTokens: number
}

/** Embeds a text on a local engine, counting its tokens for `usage`. */
export async function embedOnEngine(
  engine: InferenceEngine,
  input: string,
  signal?: AbortSignal,
): Promise<Embedding> {
  const [vector, tokens] = await Promise.all([engine.embed(input, { signal }), engine.tokenize(input)])
  return { vector, promptTokens: tokens.length }
}
