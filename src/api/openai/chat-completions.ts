import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { parseBody } from '../parse-body.ts'
import { admitConsumer } from './admit.ts'
import { buildTask, type ResponseShape, respondWithGeneration } from './generation.ts'
import type { OpenAiContext } from './index.ts'
import { ChatCompletionBodySchema } from './schemas.ts'

/** POST /v1/chat/completions: chat messages through the model's chat template, JSON or SSE. */
export function chatCompletionRoutes(c: OpenAiContext): Hono {
  const app = new Hono()
  app.post('/', async (ctx) => {
    const body = await parseBody(ctx, ChatCompletionBodySchema)
    const messages = body.messages.map((m) => ({
      role: m.role === 'developer' ? ('system' as const) : m.role,
      content: typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join(''),
    }))
    const promptBytes = messages.reduce((n, m) => n + Buffer.byteLength(m.content), 0)
    const task = buildTask(c, body, { kind: 'chat', messages }, promptBytes)
    const target = await c.resolver.resolve(body.model)
    await admitConsumer(c, ctx, target, { promptBytes, maxTokens: task.params.maxTokens })
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`
    const created = Math.floor(Date.now() / 1000)
    const head = {
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      system_fingerprint: target.contentRoot,
    }
    const shape: ResponseShape = {
      opening: () => [
        {
          ...head,
          choices: [
            { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
          ],
        },
      ],
      chunk: (text, finish) => ({
        ...head,
        choices: [
          {
            index: 0,
            delta: finish === null ? { content: text } : {},
            logprobs: null,
            finish_reason: finish,
          },
        ],
      }),
      usage: (usage) => ({ ...head, choices: [], usage }),
      complete: (r) => ({
        id,
        object: 'chat.completion',
        created,
        model: body.model,
        system_fingerprint: target.contentRoot,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: r.text, refusal: null },
            logprobs: null,
            finish_reason: r.finishReason,
          },
        ],
        usage: r.usage,
      }),
    }
    return respondWithGeneration(ctx, c, target, task, body, shape)
  })
  return app
}
