import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type { Stream } from '@libp2p/interface'
import {
  createInferenceService,
  type InferenceEngine,
  type InferenceService,
  type InferenceTask,
  LoadedModels,
  StaticModelResolver,
} from '../../src/inference/index.ts'
import { generateOnPeer } from '../../src/inference/serving/infer-client.ts'
import { silentLogger } from '../../src/log.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import { createCommonsHost, FrameReader, writeJson } from '../../src/net/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine, TINY_VERSIONS } from '../openai/fixtures.ts'

// A queued request is not a stalled one: the serving peer reports a request's place while it waits for a
// free sequence (an additive `queued` frame), and the requester keeps waiting past its first-chunk timeout
// (within its total deadline) instead of declaring the peer stalled and starting over elsewhere.

const ROOT = TINY_VERSIONS[0]!.contentRoot
let openGate: () => void = () => {}
const gate = new Promise<void>((r) => {
  openGate = r
})
const task = (maxTokens: number, seed: number, prompt = 'The river'): InferenceTask => ({
  input: { kind: 'completion', prompt },
  params: { maxTokens, temperature: 0.8, topP: 1, seed, stop: [] },
})

async function drain(it: AsyncIterable<{ tokens: number[] }>): Promise<number> {
  let n = 0
  for await (const c of it) n += c.tokens.length
  return n
}

describe('queue progress on the peer protocol', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let serving: { host: CommonsHost; inference: InferenceService }
  let requester: CommonsHost
  let liar: CommonsHost

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path, 1) // one sequence: a second request queues
    // The real engine; a generation of the prompt HOLD keeps its sequence until the test opens the gate.
    const real = engine
    const held: InferenceEngine = Object.create(real)
    held.generate = (req) =>
      (async function* () {
        let first = true
        for await (const chunk of real.generate(req)) {
          if (first && req.prompt === 'HOLD') await gate
          first = false
          yield chunk
        }
      })()
    const host = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
    await host.start()
    const localModels = new LoadedModels()
    localModels.set(ROOT, held)
    const inference = createInferenceService(
      { queueProgressMs: 100 },
      { host, resolver: new StaticModelResolver(TINY_VERSIONS), localModels, log: silentLogger },
    )
    await inference.start()
    serving = { host, inference }
    requester = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
    await requester.start()
    await requester.connect(host.multiaddrs()[0]!)
    // A peer that reports its queue after it started generating: a protocol violation.
    liar = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
    await liar.start()
    await liar.handle('/commons/infer/1.0.0', async (stream: Stream) => {
      await new FrameReader(stream).next()
      await writeJson(stream, { type: 'queued', position: 1 })
      await writeJson(stream, { type: 'chunk', index: 0, tokens: [7], text: 'a' })
      await writeJson(stream, { type: 'queued', position: 1 })
      await stream.close().catch(() => {})
    })
    await requester.connect(liar.multiaddrs()[0]!)
  })
  after(async () => {
    await requester?.stop()
    await liar?.stop()
    await serving?.inference.stop()
    await serving?.host.stop()
    await engine?.dispose()
    await dir?.[Symbol.asyncDispose]()
  })

  test('a request queued longer than the first-chunk timeout completes, told its place, not stalled', async () => {
    const peer = serving.host.peerId
    const opts = { stallTimeoutMs: 5_000, firstChunkTimeoutMs: 5_000 }
    // The first request holds the only sequence until the gate opens.
    const first = drain(generateOnPeer(requester, peer, ROOT, task(16, 1, 'HOLD'), [], opts))
    await new Promise((r) => setTimeout(r, 200))
    const positions: number[] = []
    const started = performance.now()
    const second = drain(
      generateOnPeer(requester, peer, ROOT, task(8, 2), [], {
        stallTimeoutMs: 5_000,
        firstChunkTimeoutMs: 300,
        onQueued: (p) => positions.push(p),
      }),
    )
    // Queued three times its first-chunk timeout: still waiting, not failed.
    await new Promise((r) => setTimeout(r, 900))
    openGate()
    assert.equal(await second, 8)
    assert.equal(await first, 16)
    const waited = performance.now() - started
    assert.ok(positions.length >= 3 && positions.every((p) => p === 1), `positions ${positions.join(',')}`)
    assert.ok(waited > 900, `the second request waited ${waited.toFixed(0)} ms`)
  })

  test('without queue reports a silent wait still counts as a stall (the timeout is not disabled)', async () => {
    const silent = createCommonsHost(
      { privateKey: randomBytes(32), admission: 'open' },
      { log: silentLogger },
    )
    await silent.start()
    await silent.handle('/commons/infer/1.0.0', async (stream: Stream) => {
      await new FrameReader(stream).next()
      await new Promise((r) => setTimeout(r, 1_000))
      stream.abort(new Error('gone'))
    })
    try {
      await requester.connect(silent.multiaddrs()[0]!)
      await assert.rejects(
        drain(
          generateOnPeer(requester, silent.peerId, ROOT, task(8, 3), [], {
            stallTimeoutMs: 5_000,
            firstChunkTimeoutMs: 150,
          }),
        ),
        { name: 'PeerStalledError' },
      )
    } finally {
      await silent.stop()
    }
  })

  test('a queue report after the generation started is a protocol error', async () => {
    await assert.rejects(
      drain(
        generateOnPeer(requester, liar.peerId, ROOT, task(8, 4), [], {
          stallTimeoutMs: 5_000,
          firstChunkTimeoutMs: 5_000,
        }),
      ),
      { name: 'InferenceProtocolError' },
    )
  })
})
