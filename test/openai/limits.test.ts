import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import OpenAI from 'openai'
import type { InferenceEngine } from '../../src/inference/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine, observeEngine, startApiNode, type TestApiNode } from './fixtures.ts'

async function eventually(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('limits: bad input, queue bound, cancellation, timeout', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let observed: ReturnType<typeof observeEngine>
  let node: TestApiNode
  let client: OpenAI

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path, 4)
    observed = observeEngine(engine)
    node = await startApiNode({
      engine: observed,
      limits: { maxInFlightPerModel: 8, maxPromptBytes: 4096, maxOutputTokens: 1000, retryAfterSeconds: 2 },
    })
    client = new OpenAI({ baseURL: node.url, apiKey: 'x', maxRetries: 0, timeout: 60_000 })
  })
  after(async () => {
    await node.close()
    await engine.dispose()
    await dir[Symbol.asyncDispose]()
  })

  const post = (path: string, body: string) =>
    fetch(`${node.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })

  test('malformed JSON, oversized prompt, negative max_tokens: clear 400s, and the node stays up', async () => {
    const bad = await post('/chat/completions', '{"model": "tiny", "messages": [')
    assert.equal(bad.status, 400)
    const badBody = (await bad.json()) as {
      error: { message: string; type: string; param: unknown; code: string }
    }
    assert.equal(badBody.error.type, 'invalid_request_error')
    assert.match(badBody.error.message, /not valid JSON/)
    assert.ok('param' in badBody.error)

    const big = await post('/completions', JSON.stringify({ model: 'tiny', prompt: 'a'.repeat(5000) }))
    assert.equal(big.status, 400)
    assert.match(
      ((await big.json()) as { error: { message: string } }).error.message,
      /5000 bytes, over this node's limit of 4096/,
    )

    const huge = await post('/completions', JSON.stringify({ model: 'tiny', prompt: 'a'.repeat(300_000) }))
    assert.equal(huge.status, 400)

    const negative = await post(
      '/completions',
      JSON.stringify({ model: 'tiny', prompt: 'x', max_tokens: -1 }),
    )
    assert.equal(negative.status, 400)
    assert.equal(((await negative.json()) as { error: { param: string } }).error.param, 'max_tokens')

    const unknown = await post('/completions', JSON.stringify({ model: 'unknown-model', prompt: 'x' }))
    assert.equal(unknown.status, 404)
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'model_not_found')

    const ok = await client.completions.create({ model: 'tiny', prompt: 'still up', max_tokens: 4 })
    assert.equal(ok.usage!.completion_tokens, 4)
  })

  test('a closed SSE connection cancels the generation', async () => {
    const abort = new AbortController()
    const stream = await client.completions.create(
      { model: 'tiny', prompt: 'Cancel me', max_tokens: 1000, temperature: 0, stream: true },
      { signal: abort.signal },
    )
    let chunks = 0
    for await (const _ of stream) {
      // Leaving the loop makes the client abort its HTTP request.
      if (++chunks === 3) break
    }
    assert.equal(chunks, 3)
    await eventually(() => observed.active === 0, 5_000, 'the generation to stop')
    const tokens = observed.finished.at(-1)!
    assert.ok(tokens < 1000, `generation ran ${tokens} tokens after the client left`)
  })

  test('50 concurrent streams: each completes or gets 429 with Retry-After; none hangs', async () => {
    const started = Date.now()
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        try {
          let text = ''
          const stream = await client.completions.create({
            model: 'tiny',
            prompt: `Story ${i}`,
            max_tokens: 16,
            stream: true,
            seed: i,
          })
          for await (const chunk of stream) text += chunk.choices[0]?.text ?? ''
          return { ok: true as const, text }
        } catch (err) {
          if (err instanceof OpenAI.RateLimitError)
            return { ok: false as const, retryAfter: err.headers?.get('retry-after') }
          throw err
        }
      }),
    )
    const done = results.filter((r) => r.ok)
    const limited = results.filter((r) => !r.ok)
    assert.equal(done.length + limited.length, 50)
    assert.ok(done.length >= 8, `${done.length} completed`)
    assert.ok(limited.length > 0, 'the bounded queue refused some')
    for (const r of limited) assert.equal(r.retryAfter, '2')
    assert.ok(Date.now() - started < 60_000)
    await eventually(() => observed.active === 0, 5_000, 'all generations to end')
  })

  test('a request over the timeout is cancelled with 504', async () => {
    await using slow = await startApiNode({ engine: observed, limits: { requestTimeoutMs: 30 } })
    const res = await fetch(`${slow.url}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: 'long', max_tokens: 1000, temperature: 0 }),
    })
    assert.equal(res.status, 504)
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'inference_timeout')
    await eventually(() => observed.active === 0, 5_000, 'the timed-out generation to stop')
  })
})
