import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { parseBody } from '../parse-body.ts'
import { admitConsumer } from './admit.ts'
import { buildTask, type ResponseShape, respondWithGeneration } from './generation.ts'
import type { OpenAiContext } from './index.ts'
import { CompletionBodySchema } from './schemas.ts'

/** POST /v1/completions: a text (or token) prompt continued as is, JSON or SSE. */
export function completionRoutes(c: OpenAiContext): Hono {
  const app = new Hono()
  app.post('/', async (ctx) => {
    const body = await parseBody(ctx, CompletionBodySchema)
    const prompt =
      typeof body.prompt === 'string'
        ? body.prompt
        : typeof body.prompt[0] === 'string'
          ? (body.prompt[0] as string)
          : (body.prompt as number[])
    const promptBytes = typeof prompt === 'string' ? Buffer.byteLength(prompt) : prompt.length * 4
    const task = buildTask(c, body, { kind: 'completion', prompt }, promptBytes)
    const target = await c.resolver.resolve(body.model)
    await admitConsumer(c, ctx, target, { promptBytes, maxTokens: task.params.maxTokens })
    const id = `cmpl-${randomBytes(12).toString('hex')}`
    const created = Math.floor(Date.now() / 1000)
    const head = {
      id,
      object: 'text_completion',
      created,
      model: body.model,
      system_fingerprint: target.contentRoot,
    }
    const shape: ResponseShape = {
      opening: () => [],
      chunk: (text, finish) => ({
        ...head,
        choices: [{ index: 0, text, logprobs: null, finish_reason: finish }],
      }),
      usage: (usage) => ({ ...head, choices: [], usage }),
      complete: (r) => ({
        ...head,
        choices: [{ index: 0, text: r.text, logprobs: null, finish_reason: r.finishReason }],
        usage: r.usage,
      }),
    }
    return respondWithGeneration(ctx, c, target, task, body, shape)
  })
  return app
}
