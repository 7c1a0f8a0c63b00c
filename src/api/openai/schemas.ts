import { z } from 'zod'

const Stop = z.union([z.string().min(1).max(256), z.array(z.string().min(1).max(256)).max(4)]).nullish()

/** Sampling fields shared by chat and text completions (OpenAI names). */
const Sampling = {
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().min(1).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullish(),
  stop: Stop,
  n: z.literal(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  user: z.string().max(256).optional(),
}

const TextPart = z.object({ type: z.literal('text'), text: z.string() })

/** POST /v1/chat/completions body. */
export const ChatCompletionBodySchema = z.object({
  ...Sampling,
  max_completion_tokens: z.number().int().min(1).nullish(),
  messages: z
    .array(
      z.object({
        role: z.enum(['system', 'developer', 'user', 'assistant']),
        content: z.union([z.string(), z.array(TextPart).min(1)]),
        name: z.string().max(64).optional(),
      }),
    )
    .min(1, 'give at least one message')
    .max(1024),
})

/** POST /v1/completions body. */
export const CompletionBodySchema = z.object({
  ...Sampling,
  prompt: z.union([
    z.string().min(1, 'the prompt is empty'),
    z.array(z.string().min(1)).length(1, 'give exactly one prompt'),
    z.array(z.number().int().min(0)).min(1),
  ]),
  echo: z.literal(false).nullish(),
})

/** POST /v1/embeddings body. */
export const EmbeddingBodySchema = z.object({
  model: z.string().min(1).max(256),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  user: z.string().max(256).optional(),
})

export type ChatCompletionBody = z.infer<typeof ChatCompletionBodySchema>
export type CompletionBody = z.infer<typeof CompletionBodySchema>
export type EmbeddingBody = z.infer<typeof EmbeddingBodySchema>
