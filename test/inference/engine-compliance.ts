import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { GenerateRequest, GenerationChunk, InferenceEngine } from '../../src/inference/index.ts'
import { UTF8_SAMPLES } from './fixtures.ts'

/** Builds a fresh engine serving the same model every time it is called. */
export type EngineFactory = () => Promise<InferenceEngine>

/** A finished generation, collected from its chunks. */
export interface Collected {
  text: string
  tokens: number[]
  chunks: GenerationChunk[]
}

/** Drains a generation stream. */
export async function collect(
  stream: AsyncIterable<GenerationChunk>,
  limit = Number.POSITIVE_INFINITY,
): Promise<Collected> {
  const chunks: GenerationChunk[] = []
  for await (const chunk of stream) {
    chunks.push(chunk)
    if (chunks.length >= limit) break
  }
  return { text: chunks.map((c) => c.text).join(''), tokens: chunks.flatMap((c) => c.tokens), chunks }
}

/**
 * The contract of `InferenceEngine`, for every implementation (llama.cpp here, a remote peer proxy
 * later). The factory must serve a small model whose tokenizer round-trips text exactly (the tiny
 * byte-vocabulary llama) and must use a generation-capable context of at least 256 tokens.
 */
export function engineComplianceSuite(name: string, factory: EngineFactory): void {
  describe(`InferenceEngine compliance: ${name}`, () => {
    let engine: InferenceEngine
    let fresh: InferenceEngine
    const base: GenerateRequest = { prompt: 'The commons are', maxTokens: 40 }

    before(async () => {
      engine = await factory()
      fresh = await factory()
    })

    after(async () => {
      await engine?.dispose()
      await fresh?.dispose()
    })

    it('describes its model', () => {
      assert.ok(engine.info.contextSize >= 256)
      assert.ok(engine.info.embeddingSize > 0)
      assert.ok(engine.info.vocabularySize > 0)
      assert.ok(engine.info.parallelSequences >= 1)
      assert.equal(typeof engine.info.contentRoot, 'string')
    })

    it('round-trips arbitrary UTF-8 through tokenize and detokenize', async () => {
      for (const text of UTF8_SAMPLES) {
        const tokens = await engine.tokenize(text)
        assert.equal(await engine.detokenize(tokens), text, JSON.stringify(text))
      }
      const withBos = await engine.tokenize('hi', { addBos: true })
      assert.equal(withBos.length, (await engine.tokenize('hi')).length + 1)
    })

    it('streams one chunk per token with consecutive indices and usage on the last', async () => {
      const run = await collect(engine.generate({ ...base, maxTokens: 12 }))
      assert.equal(run.chunks.length, 12)
      run.chunks.forEach((c, i) => {
        assert.equal(c.index, i)
        assert.equal(c.tokens.length, 1)
      })
      const last = run.chunks.at(-1)!
      assert.equal(last.finishReason, 'length')
      assert.equal(last.usage?.completionTokens, 12)
      assert.equal(
        last.usage?.promptTokens,
        (await engine.tokenize(base.prompt as string, { addBos: true })).length,
      )
      assert.equal(run.text, await engine.detokenize(run.tokens))
    })

    it('is deterministic at temperature 0', async () => {
      const a = await collect(engine.generate(base))
      const b = await collect(fresh.generate(base))
      const other = await collect(engine.generate({ ...base, prompt: 'Something else entirely' }))
      assert.equal(a.text, b.text)
      assert.deepEqual(a.tokens, b.tokens)
      assert.notEqual(a.text, other.text)
    })

    it('is deterministic at temperature 0.8 with a fixed seed, and the seed matters', async () => {
      const req = { ...base, temperature: 0.8, seed: 1234 }
      const a = await collect(engine.generate(req))
      const b = await collect(fresh.generate(req))
      const c = await collect(engine.generate({ ...req, seed: 4321 }))
      assert.equal(a.text, b.text)
      assert.notDeepEqual(a.tokens, c.tokens)
    })

    for (const temperature of [0, 0.8]) {
      it(`resumes on a fresh engine exactly where another stopped (temperature ${temperature})`, async () => {
        const req: GenerateRequest = { ...base, temperature, seed: 99, topP: 0.95, maxTokens: 32 }
        const full = await collect(engine.generate(req))
        assert.equal(full.tokens.length, 32)
        for (const k of [0, 1, 5, 17, 31, 32]) {
          const head = full.chunks.slice(0, k)
          const tail = await collect(
            fresh.resume(
              req,
              head.flatMap((c) => c.tokens),
            ),
          )
          const text = head.map((c) => c.text).join('') + tail.text
          assert.equal(text, full.text, `resumed at ${k}`)
          assert.deepEqual(
            [...head.flatMap((c) => c.tokens), ...tail.tokens],
            full.tokens,
            `tokens resumed at ${k}`,
          )
          assert.equal(tail.chunks[0]?.index ?? k, k)
          assert.equal(tail.chunks.at(-1)?.finishReason, 'length')
        }
      })
    }

    it('ends before a stop string, also when resumed inside it', async () => {
      const req: GenerateRequest = { ...base, temperature: 0.8, seed: 7, maxTokens: 40 }
      const full = await collect(engine.generate(req))
      const stop = full.text.slice(12, 15)
      const first = full.text.indexOf(stop)
      const stopped = await collect(engine.generate({ ...req, stop: [stop, 'never appears'] }))
      assert.equal(stopped.text, full.text.slice(0, first))
      assert.equal(stopped.chunks.at(-1)?.finishReason, 'stop')
      const cut = stopped.tokens.length - 1
      const head = stopped.chunks.slice(0, cut)
      const tail = await collect(
        fresh.resume(
          { ...req, stop: [stop, 'never appears'] },
          head.flatMap((c) => c.tokens),
        ),
      )
      assert.equal(head.map((c) => c.text).join('') + tail.text, stopped.text)
      assert.equal(tail.chunks.at(-1)?.finishReason, 'stop')
    })

    it('runs parallel requests concurrently and queues the ones beyond its sequences', async () => {
      const n = engine.info.parallelSequences
      const requests = Array.from({ length: n + 1 }, (_, i) => ({
        ...base,
        maxTokens: 24,
        temperature: 0.8,
        seed: i,
      }))
      const sequential = []
      for (const r of requests) sequential.push((await collect(engine.generate(r))).text)
      const events: string[] = []
      const runs = requests.map(async (r, i) => {
        let text = ''
        let first = true
        for await (const chunk of engine.generate(r)) {
          if (first) events.push(`start ${i}`)
          first = false
          text += chunk.text
        }
        events.push(`end ${i}`)
        return text
      })
      assert.deepEqual(await Promise.all(runs), sequential)
      const firstEnd = events.findIndex((e) => e.startsWith('end'))
      const startedBeforeAnyEnd = events.slice(0, firstEnd).filter((e) => e.startsWith('start')).length
      assert.equal(startedBeforeAnyEnd, n, events.join(', '))
      assert.ok(events.indexOf(`start ${n}`) > firstEnd, 'the extra request waits for a free sequence')
    })

    it('stops generating when aborted, before and during generation', async () => {
      const early = new AbortController()
      early.abort()
      await assert.rejects(collect(engine.generate({ ...base, signal: early.signal })), {
        name: 'AbortedError',
      })
      const controller = new AbortController()
      const seen: GenerationChunk[] = []
      await assert.rejects(
        (async () => {
          for await (const chunk of engine.generate({ ...base, maxTokens: 200, signal: controller.signal })) {
            seen.push(chunk)
            if (seen.length === 5) controller.abort()
          }
        })(),
        { name: 'AbortedError' },
      )
      assert.equal(seen.length, 5)
      // The engine is still usable afterwards.
      assert.equal((await collect(engine.generate({ ...base, maxTokens: 3 }))).tokens.length, 3)
    })

    it('returns embeddings of the model width, deterministic per text', async () => {
      const a = await engine.embed('hello world')
      const b = await engine.embed('hello world')
      const c = await engine.embed('something else')
      assert.equal(a.length, engine.info.embeddingSize)
      assert.ok(a.every(Number.isFinite))
      assert.deepEqual(a, b)
      assert.notDeepEqual(a, c)
    })

    it('renders chats that it can generate from', async () => {
      const chat = await engine.applyChatTemplate([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi 👋' },
      ])
      assert.ok(chat.prompt.length > 0)
      assert.ok((await engine.detokenize(chat.prompt)).includes('Hi 👋'))
      const reply = await collect(engine.generate({ prompt: chat.prompt, stop: chat.stop, maxTokens: 8 }))
      assert.ok(reply.tokens.length > 0)
    })

    it('disposes idempotently and refuses work afterwards', async () => {
      const own = await factory()
      await own.dispose()
      await own.dispose()
      assert.equal(own.disposed, true)
      await assert.rejects(collect(own.generate(base)), { name: 'EngineDisposedError' })
      await assert.rejects(own.tokenize('x'), { name: 'EngineDisposedError' })
    })
  })
}
