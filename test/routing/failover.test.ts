import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import OpenAI from 'openai'
import type { FailoverEvent, InferenceEngine } from '../../src/inference/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { writeTinyModel } from '../inference/fixtures.ts'
import { loadTinyEngine } from '../openai/fixtures.ts'
import {
  announceServing,
  type PeerNode,
  type ServingProcess,
  spawnServingNode,
  startPeerNode,
} from './fixtures.ts'

describe('failover mid-stream: kill -9 and stalls', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let front: PeerNode
  let third: PeerNode
  let b1: ServingProcess
  let b2: ServingProcess
  let b3: ServingProcess
  let client: OpenAI
  const failovers: FailoverEvent[] = []

  before(async () => {
    dir = await tmpDir()
    const { path: modelPath } = await writeTinyModel(dir.path, { nEmbd: 64, nLayer: 2, nCtx: 1024 })
    ;[b1, b2, b3] = await Promise.all([
      spawnServingNode({ modelPath, delayMs: 4 }),
      spawnServingNode({ modelPath, delayMs: 4 }),
      spawnServingNode({ modelPath, delayMs: 4, stallAfter: 7 }),
    ])
    engine = await loadTinyEngine(dir.path)
    third = await startPeerNode({ engine })
    // Which peer serves must not depend on this machine's speed: untried peers never beat measured ones
    // on score here (the load hint breaks ties), and `third` is announced only when it is needed.
    front = await startPeerNode({
      router: { stallTimeoutMs: 400, unmeasuredPriorMsPerToken: 1e9, onFailover: (e) => failovers.push(e) },
    })
    for (const [peer, load] of [
      [b1, 0],
      [b2, 0.1],
    ] as const) {
      await front.host.connect(peer.addrs[0]!)
      announceServing(front.directory, peer.peerId, peer.addrs, load)
    }
    await front.host.connect(third.host.multiaddrs()[0]!)
    client = new OpenAI({ baseURL: front.api.url, apiKey: 'x', maxRetries: 0, timeout: 60_000 })
  })
  after(async () => {
    for (const p of [b1, b2, b3]) p?.kill()
    await front?.close()
    await third?.close()
    await engine?.dispose()
    await dir?.[Symbol.asyncDispose]()
  })

  /** Streams a completion; calls `during` once after `after` text chunks. */
  async function stream(params: OpenAI.CompletionCreateParamsNonStreaming, after = -1, during?: () => void) {
    let text = ''
    let n = 0
    let finish: string | null = null
    let usage: OpenAI.CompletionUsage | undefined
    for await (const chunk of await client.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    })) {
      text += chunk.choices[0]?.text ?? ''
      finish = chunk.choices[0]?.finish_reason ?? finish
      if (chunk.usage) usage = chunk.usage
      if (++n === after) during?.()
    }
    return { text, finish, usage }
  }

  const greedy = { model: 'tiny', prompt: 'In the beginning', max_tokens: 120, temperature: 0 }
  const sampled = {
    model: 'tiny',
    prompt: 'Far away',
    max_tokens: 120,
    temperature: 0.8,
    top_p: 0.95,
    seed: 20261124,
  }

  test('kill -9 of the serving node mid-stream: the stream completes with exactly the uninterrupted text', async () => {
    // Uninterrupted runs, served by b1 (lowest load).
    const greedyRef = await stream(greedy)
    const sampledRef = await stream(sampled)
    assert.equal(greedyRef.usage!.completion_tokens, 120)
    assert.equal(failovers.length, 0)

    const greedyCut = await stream(greedy, 10, () => b1.kill())
    assert.equal(greedyCut.text, greedyRef.text)
    assert.equal(greedyCut.finish, 'length')
    assert.deepEqual(greedyCut.usage, greedyRef.usage)
    assert.equal(failovers.length, 1)
    assert.equal(failovers[0]!.from, b1.peerId)
    assert.equal(failovers[0]!.to, b2.peerId)
    assert.ok(failovers[0]!.generated > 0 && failovers[0]!.generated < 120)

    const sampledCut = await stream(sampled, 10, () => {
      announceServing(front.directory, third.host.peerId, third.host.multiaddrs(), 0.5)
      b2.kill()
    })
    assert.equal(sampledCut.text, sampledRef.text)
    assert.deepEqual(sampledCut.usage, sampledRef.usage)
    assert.equal(failovers.length, 2)
    assert.equal(failovers[1]!.from, b2.peerId)
    assert.equal(failovers[1]!.to, third.host.peerId)
    for (const f of failovers) {
      process.stderr.write(
        `# failover ${f.reason} after ${f.generated} tokens: resume ${f.resumeMs.toFixed(1)} ms, gap ${f.gapMs.toFixed(1)} ms\n`,
      )
    }
  })

  test('a stalled peer (no frame within the stall timeout) is replaced without lost or repeated tokens', async () => {
    await front.host.connect(b3.addrs[0]!)
    announceServing(front.directory, b3.peerId, b3.addrs, 0)
    const before = failovers.length
    const reference = await (async () => {
      // the uninterrupted run on the third node, straight from its own API
      const direct = new OpenAI({ baseURL: third.api.url, apiKey: 'x', maxRetries: 0 })
      return (await direct.completions.create(sampled)).choices[0]!.text
    })()
    const stalled = await stream(sampled)
    assert.equal(stalled.text, reference)
    assert.equal(failovers.length, before + 1)
    const f = failovers.at(-1)!
    assert.equal(f.from, b3.peerId)
    assert.equal(f.reason, 'PeerStalledError')
    assert.equal(f.generated, 7)
    assert.ok(f.gapMs >= 400, `gap ${f.gapMs} ms includes the stall timeout`)
    process.stderr.write(
      `# stall failover: resume ${f.resumeMs.toFixed(1)} ms, gap ${f.gapMs.toFixed(1)} ms\n`,
    )
  })
})
