import { Hono } from 'hono'
import { AbortedError, InvalidInputError } from '../../errors.ts'
import { parseBody } from '../parse-body.ts'
import { admitConsumer, consumerOf } from './admit.ts'
import type { OpenAiContext } from './index.ts'
import { EmbeddingBodySchema } from './schemas.ts'

/** POST /v1/embeddings: one vector per input, as float arrays or base64 float32 (the openai client's default). */
export function embeddingRoutes(c: OpenAiContext): Hono {
  const app = new Hono()
  app.post('/', async (ctx) => {
    const body = await parseBody(ctx, EmbeddingBodySchema)
    const inputs = typeof body.input === 'string' ? [body.input] : body.input
    if (inputs.length > c.limits.maxEmbeddingInputs) {
      throw new InvalidInputError(`Give at most ${c.limits.maxEmbeddingInputs} inputs per request.`, {
        details: { param: 'input' },
      })
    }
    const bytes = inputs.reduce((n, s) => n + Buffer.byteLength(s), 0)
    if (bytes > c.limits.maxPromptBytes) {
      throw new InvalidInputError(
        `The input is ${bytes} bytes, over this node's limit of ${c.limits.maxPromptBytes} bytes.`,
        {
          details: { param: 'input' },
        },
      )
    }
    const target = await c.resolver.resolve(body.model)
    await admitConsumer(c, ctx, target, { promptBytes: bytes, maxTokens: 0 }, true)
    // Admission (429) happens where each embedding runs: on this node's engine, or at the serving peer.
    const cancel = AbortSignal.any([ctx.req.raw.signal, AbortSignal.timeout(c.limits.requestTimeoutMs)])
    const data = []
    let promptTokens = 0
    for (const [index, input] of inputs.entries()) {
      if (cancel.aborted) throw new AbortedError(undefined, { cause: cancel.reason })
      const e = await c.inference.embed(target, input, { signal: cancel, consumer: consumerOf(ctx) })
      promptTokens += e.promptTokens
      const embedding =
        body.encoding_format === 'base64'
          ? Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength).toString('base64')
          : Array.from(e.vector)
      data.push({ object: 'embedding', index, embedding })
    }
    return ctx.json({
      object: 'list',
      data,
      model: body.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    })
  })
  return app
}
