import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import OpenAI from 'openai'
import type { InferenceEngine } from '../../src/inference/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine, startApiNode, type TestApiNode } from './fixtures.ts'

describe('OpenAI API with the official openai client (local engine)', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let node: TestApiNode
  let client: OpenAI

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path)
    node = await startApiNode({ engine, limits: { maxOutputTokens: 512 } })
    client = new OpenAI({ baseURL: node.url, apiKey: 'unused-in-open-mode', maxRetries: 0 })
  })
  after(async () => {
    await node.close()
    await engine.dispose()
    await dir[Symbol.asyncDispose]()
  })

  test('lists and retrieves models', async () => {
    const ids = []
    for await (const m of client.models.list()) ids.push(m.id)
    assert.deepEqual(ids.sort(), ['ghost', 'tiny'])
    const tiny = (await client.models.retrieve('tiny')) as unknown as { version: string; available: boolean }
    assert.equal(tiny.version, '2')
    assert.equal(tiny.available, true)
    const v1 = (await client.models.retrieve('tiny@1')) as unknown as { version: string }
    assert.equal(v1.version, '1')
  })

  test('chat completion, streamed and not, gives the same text and usage', async () => {
    const params = {
      model: 'tiny',
      messages: [{ role: 'user' as const, content: 'Say hi' }],
      max_tokens: 24,
      temperature: 0,
    }
    const whole = await client.chat.completions.create(params)
    const choice = whole.choices[0]!
    assert.equal(whole.object, 'chat.completion')
    assert.equal(choice.message.role, 'assistant')
    assert.ok(choice.message.content!.length > 0)
    assert.ok(choice.finish_reason === 'length' || choice.finish_reason === 'stop')
    assert.ok(whole.usage!.prompt_tokens > 0)
    assert.equal(whole.usage!.total_tokens, whole.usage!.prompt_tokens + whole.usage!.completion_tokens)

    const stream = await client.chat.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    })
    let text = ''
    let finish: string | null = null
    let usage: OpenAI.CompletionUsage | undefined
    let role: string | undefined
    for await (const chunk of stream) {
      const c = chunk.choices[0]
      if (c?.delta.role !== undefined) role = c.delta.role
      text += c?.delta.content ?? ''
      if (c?.finish_reason) finish = c.finish_reason
      if (chunk.usage) usage = chunk.usage
    }
    assert.equal(role, 'assistant')
    assert.equal(text, choice.message.content)
    assert.equal(finish, choice.finish_reason)
    assert.deepEqual(usage, whole.usage)
  })

  test('text completion honours max_tokens, stop and seed', async () => {
    const base = { model: 'tiny', prompt: 'Once upon a time', temperature: 0 }
    const plain = await client.completions.create({ ...base, max_tokens: 20 })
    assert.equal(plain.object, 'text_completion')
    assert.equal(plain.usage!.completion_tokens, 20)
    assert.equal(plain.choices[0]!.finish_reason, 'length')
    const text = plain.choices[0]!.text
    assert.ok(text.length >= 10, `generated ${JSON.stringify(text)}`)

    const stopAt = text.slice(6, 8)
    const stopped = await client.completions.create({ ...base, max_tokens: 20, stop: [stopAt, 'NEVER'] })
    assert.equal(stopped.choices[0]!.finish_reason, 'stop')
    assert.equal(stopped.choices[0]!.text, text.slice(0, text.indexOf(stopAt)))

    let streamed = ''
    for await (const chunk of await client.completions.create({ ...base, max_tokens: 20, stream: true })) {
      streamed += chunk.choices[0]?.text ?? ''
    }
    assert.equal(streamed, text)

    const sampled = { ...base, max_tokens: 24, temperature: 0.8, top_p: 0.95, seed: 1234 }
    const a = await client.completions.create(sampled)
    const b = await client.completions.create(sampled)
    assert.equal(a.choices[0]!.text, b.choices[0]!.text)
  })

  test('embeddings as floats and as base64 (the client default)', async () => {
    const floats = await client.embeddings.create({
      model: 'tiny',
      input: ['hello', 'world'],
      encoding_format: 'float',
    })
    assert.equal(floats.data.length, 2)
    assert.equal(floats.data[0]!.embedding.length, engine.info.embeddingSize)
    assert.ok(floats.usage.prompt_tokens > 0)
    const b64 = await client.embeddings.create({ model: 'tiny', input: 'hello' })
    const expected = floats.data[0]!.embedding
    for (const [i, v] of b64.data[0]!.embedding.entries()) assert.ok(Math.abs(v - expected[i]!) < 1e-6)
  })

  test('bad requests raise the client’s error classes with OpenAI-shaped bodies', async () => {
    await assert.rejects(
      client.completions.create({ model: 'tiny', prompt: 'x', max_tokens: -5 }),
      (err: unknown) =>
        err instanceof OpenAI.BadRequestError && err.param === 'max_tokens' && /max_tokens/.test(err.message),
    )
    await assert.rejects(
      client.completions.create({ model: 'tiny', prompt: 'x', max_tokens: 100_000 }),
      (err: unknown) =>
        err instanceof OpenAI.BadRequestError && /limit of 512 output tokens/.test(err.message),
    )
    await assert.rejects(
      client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) =>
        err instanceof OpenAI.NotFoundError &&
        err.code === 'model_not_found' &&
        (err.error as { type: string }).type === 'invalid_request_error',
    )
    await assert.rejects(
      client.chat.completions.create({ model: 'ghost', messages: [{ role: 'user', content: 'x' }] }),
      (err: unknown) =>
        err instanceof OpenAI.InternalServerError &&
        err.status === 503 &&
        /No node serves ghost@1/.test(err.message),
    )
    await assert.rejects(
      client.chat.completions.create({ model: 'tiny', messages: [] }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && err.param === 'messages',
    )
  })
})
