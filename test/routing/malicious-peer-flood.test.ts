import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type { Stream } from '@libp2p/interface'
import type { InferenceEngine } from '../../src/inference/index.ts'
import { silentLogger } from '../../src/log.ts'
import { type CommonsHost, createCommonsHost, FrameReader, writeJson } from '../../src/net/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine, TINY_ROOT } from '../openai/fixtures.ts'
import { announceServing, type PeerNode, startPeerNode } from './fixtures.ts'

const INFER_PROTOCOL = '/commons/infer/1.0.0'
const TEXT = 'x'.repeat(4096)

/** How a malicious serving peer answers a generate request with max_tokens=1. */
type Flood = 'zero-token chunks' | 'past max_tokens' | 'text beyond its tokens'

/** max_tokens of the request per attack (text beyond tokens needs room for more than one token). */
const MAX_TOKENS: Record<Flood, number> = {
  'zero-token chunks': 1,
  'past max_tokens': 1,
  'text beyond its tokens': 8,
}

function floodFrame(kind: Flood, i: number) {
  if (kind === 'zero-token chunks') return { type: 'chunk', index: 0, tokens: [], text: TEXT }
  if (kind === 'past max_tokens') return { type: 'chunk', index: i, tokens: [7], text: 'y' }
  return { type: 'chunk', index: i, tokens: [7], text: TEXT }
}

describe('a serving peer that floods text is cut off, penalised and failed over from', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let honest: PeerNode
  let front: PeerNode
  let evil: CommonsHost
  let mode: Flood = 'zero-token chunks'
  let sentBytes = 0
  let served = 0

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path)
    honest = await startPeerNode({ engine })
    evil = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
    await evil.start()
    await evil.handle(INFER_PROTOCOL, async (stream: Stream) => {
      await new FrameReader(stream).next()
      served++
      // Megabytes for max_tokens=1 (8 MiB unless the requester stops reading).
      for (let i = 0; sentBytes < 8 * 1024 * 1024 * served; i++) {
        const frame: { text: string; finishReason?: string } = floodFrame(mode, i)
        sentBytes += frame.text.length
        try {
          await writeJson(stream, frame, { signal: AbortSignal.timeout(5_000) })
        } catch {
          return
        }
        if (frame.finishReason !== undefined) break
      }
      await stream.close().catch(() => undefined)
    })
  })
  after(async () => {
    await front?.close()
    await honest?.close()
    await evil?.stop()
    await engine?.dispose()
    await dir?.[Symbol.asyncDispose]()
  })

  for (const kind of ['zero-token chunks', 'past max_tokens', 'text beyond its tokens'] as const) {
    test(`${kind}: the client gets a bounded answer from the honest peer`, async () => {
      await front?.close()
      front = await startPeerNode()
      mode = kind
      const before = served
      await front.host.connect(evil.multiaddrs()[0]!)
      await front.host.connect(honest.host.multiaddrs()[0]!)
      announceServing(front.directory, evil.peerId.toString(), evil.multiaddrs(), 0)
      announceServing(front.directory, honest.host.peerId, honest.host.multiaddrs(), 0.9)
      const res = await fetch(`${front.api.url}/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny', prompt: 'hello', max_tokens: MAX_TOKENS[kind] }),
      })
      const body = (await res.json()) as { choices: { text: string }[]; usage: { completion_tokens: number } }
      assert.equal(res.status, 200, JSON.stringify(body).slice(0, 300))
      assert.equal(served, before + 1, 'the malicious peer was asked first')
      assert.ok(body.usage.completion_tokens <= MAX_TOKENS[kind])
      assert.ok(
        body.choices[0]!.text.length <= 64 * MAX_TOKENS[kind],
        `answer of ${body.choices[0]!.text.length} chars`,
      )
      assert.ok(!body.choices[0]!.text.includes('xxxx'), 'no flooded text reaches the client')
      const penalty = front.directory.get(evil.peerId.toString())?.penalty ?? 0
      assert.ok(penalty >= 1_000, `malicious peer penalty ${penalty}`)
      process.stderr.write(
        `# ${kind}: the malicious peer wrote ${sentBytes} chars in all before being cut off\n`,
      )
    })
  }

  test('with only the malicious peer, the client gets a clear error, not the flood', async () => {
    await front?.close()
    front = await startPeerNode()
    mode = 'zero-token chunks'
    await front.host.connect(evil.multiaddrs()[0]!)
    announceServing(front.directory, evil.peerId.toString(), evil.multiaddrs(), 0)
    const rss = process.memoryUsage().rss
    const res = await fetch(`${front.api.url}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: 'hello', max_tokens: 1 }),
    })
    const text = await res.text()
    assert.ok(res.status >= 500, `status ${res.status}`)
    assert.ok(text.length < 2_000 && !text.includes('xxxx'), text.slice(0, 200))
    const grown = process.memoryUsage().rss - rss
    assert.ok(grown < 64 * 1024 * 1024, `rss grew ${grown} bytes`)
  })

  test('the serving side refuses a peer request beyond the /v1 limits (max_tokens, prompt)', async () => {
    const probe = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
    await probe.start()
    try {
      await probe.connect(honest.host.multiaddrs()[0]!)
      const params = { temperature: 0, topP: 1, seed: 1, stop: [] }
      for (const [task, want] of [
        [
          { input: { kind: 'completion', prompt: 'hi' }, params: { ...params, maxTokens: 30_000 } },
          /max_tokens/,
        ],
        [
          { input: { kind: 'completion', prompt: 'p'.repeat(200_000) }, params: { ...params, maxTokens: 4 } },
          /prompt/,
        ],
      ] as const) {
        const stream = await probe.dial(honest.host.peerId, INFER_PROTOCOL)
        await writeJson(stream, { type: 'generate', contentRoot: TINY_ROOT, task, generated: [] })
        const reply = (await new FrameReader(stream).next()) as unknown
        const json = JSON.parse(new TextDecoder().decode((reply as { subarray(): Uint8Array }).subarray()))
        assert.equal(json.error?.name, 'InvalidInputError', JSON.stringify(json))
        assert.match(json.error.message, want)
      }
    } finally {
      await probe.stop()
    }
  })
})
