import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import OpenAI from 'openai'
import type { InferenceEngine } from '../../src/inference/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine, observeEngine } from '../openai/fixtures.ts'
import { announceServing, type PeerNode, startPeerNode } from './fixtures.ts'

describe('routing between two nodes over libp2p', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let observed: ReturnType<typeof observeEngine>
  let serving: PeerNode
  let front: PeerNode
  let viaFront: OpenAI
  let direct: OpenAI

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path)
    observed = observeEngine(engine)
    serving = await startPeerNode({ engine: observed })
    front = await startPeerNode()
    await front.host.connect(serving.host.multiaddrs()[0]!)
    announceServing(front.directory, serving.host.peerId, serving.host.multiaddrs(), 0.1)
    viaFront = new OpenAI({ baseURL: front.api.url, apiKey: 'x', maxRetries: 0 })
    direct = new OpenAI({ baseURL: serving.api.url, apiKey: 'x', maxRetries: 0 })
  })
  after(async () => {
    await front.close()
    await serving.close()
    await engine.dispose()
    await dir[Symbol.asyncDispose]()
  })

  test('a node without the model proxies to the peer that announces it: same text, streamed and not', async () => {
    const params = { model: 'tiny', prompt: 'The river', max_tokens: 40, temperature: 0.8, seed: 42 }
    const before = observed.finished.length
    const proxied = await viaFront.completions.create(params)
    assert.equal(observed.finished.length, before + 1, 'the serving node ran the generation')
    const local = await direct.completions.create(params)
    assert.equal(proxied.choices[0]!.text, local.choices[0]!.text)
    assert.deepEqual(proxied.usage, local.usage)

    let streamed = ''
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of await viaFront.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    })) {
      streamed += chunk.choices[0]?.text ?? ''
      if (chunk.usage) usage = chunk.usage
    }
    assert.equal(streamed, local.choices[0]!.text)
    assert.deepEqual(usage, local.usage)
  })

  test('chat and embeddings are proxied too', async () => {
    const chat = {
      model: 'tiny@1',
      messages: [{ role: 'user' as const, content: 'Hello there' }],
      max_tokens: 16,
      temperature: 0,
    }
    const proxied = await viaFront.chat.completions.create(chat)
    const local = await direct.chat.completions.create(chat)
    assert.equal(proxied.choices[0]!.message.content, local.choices[0]!.message.content)

    const e1 = await viaFront.embeddings.create({
      model: 'tiny',
      input: 'vector me',
      encoding_format: 'float',
    })
    const e2 = await direct.embeddings.create({ model: 'tiny', input: 'vector me', encoding_format: 'float' })
    assert.deepEqual(e1.data[0]!.embedding, e2.data[0]!.embedding)
    assert.equal(e1.usage.prompt_tokens, e2.usage.prompt_tokens)
  })

  test('a client leaving a proxied stream stops the generation on the serving node', async () => {
    const stream = await viaFront.completions.create({
      model: 'tiny',
      prompt: 'Go on',
      max_tokens: 1000,
      temperature: 0,
      stream: true,
    })
    let n = 0
    for await (const _ of stream) if (++n === 3) break
    const deadline = Date.now() + 5_000
    while (observed.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
    assert.equal(observed.active, 0)
    assert.ok(observed.finished.at(-1)! < 1000, `ran ${observed.finished.at(-1)} tokens`)
  })

  test('errors of the serving node come back as the same OpenAI errors', async () => {
    await assert.rejects(
      viaFront.completions.create({ model: 'tiny', prompt: 'x'.repeat(3000), max_tokens: 10 }),
      (err: unknown) => err instanceof OpenAI.BadRequestError && /do not fit the context/.test(err.message),
    )
    await assert.rejects(
      viaFront.completions.create({ model: 'ghost', prompt: 'x' }),
      (err: unknown) => err instanceof OpenAI.APIError && err.status === 503,
    )
  })

  test('a peer known only from its announcement (not connected) is dialled at its announced address', async () => {
    await using lonely = await startPeerNode({ engine: observed })
    assert.ok(!front.host.connectedPeers().includes(lonely.host.peerId))
    announceServing(front.directory, lonely.host.peerId, lonely.host.multiaddrs(), 0)
    try {
      const r = await viaFront.completions.create({
        model: 'tiny',
        prompt: 'Hello',
        max_tokens: 5,
        temperature: 0,
      })
      assert.equal(r.usage!.completion_tokens, 5)
      assert.ok(
        front.host.connectedPeers().includes(lonely.host.peerId),
        'the front node dialled the announced address',
      )
    } finally {
      front.directory.remove(lonely.host.peerId)
    }
  })
})
