import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import {
  createInferenceService,
  type InferenceEngine,
  type InferenceService,
  type InferenceTask,
  LoadedModels,
  StaticModelResolver,
} from '../../src/inference/index.ts'
import { silentLogger } from '../../src/log.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import { createCommonsHost } from '../../src/net/index.ts'
import { PeerDirectory } from '../../src/net/peer-directory.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine, observeEngine, TINY_VERSIONS } from '../openai/fixtures.ts'
import { announceServing } from './fixtures.ts'

/** A node with a libp2p host and the inference service, and no HTTP server at all. */
interface HeadlessNode {
  host: CommonsHost
  directory: PeerDirectory
  inference: InferenceService
  close(): Promise<void>
}

async function startHeadlessNode(engine?: InferenceEngine): Promise<HeadlessNode> {
  const host = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
  await host.start()
  const directory = new PeerDirectory()
  const localModels = new LoadedModels()
  if (engine !== undefined) localModels.set(TINY_VERSIONS[0]!.contentRoot, engine)
  const inference = createInferenceService(
    { router: { stallTimeoutMs: 5_000, firstChunkTimeoutMs: 10_000 } },
    { host, directory, resolver: new StaticModelResolver(TINY_VERSIONS), localModels, log: silentLogger },
  )
  await inference.start()
  const close = async (): Promise<void> => {
    await inference.stop()
    await host.stop()
  }
  return { host, directory, inference, close }
}

async function collect(
  inference: InferenceService,
  task: InferenceTask,
): Promise<{ text: string; tokens: number }> {
  let text = ''
  let tokens = 0
  for await (const chunk of inference.router.generate(TINY_VERSIONS[0]!, task, {})) {
    text += chunk.text
    tokens += chunk.tokens.length
  }
  return { text, tokens }
}

const TASK: InferenceTask = {
  input: { kind: 'completion', prompt: 'The river' },
  params: { maxTokens: 24, temperature: 0.8, topP: 1, seed: 42, stop: [] },
}

describe('the peer protocol is served by the inference service alone, without HTTP', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let observed: ReturnType<typeof observeEngine>
  let serving: HeadlessNode
  let front: HeadlessNode

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path)
    observed = observeEngine(engine)
    serving = await startHeadlessNode(observed)
    front = await startHeadlessNode()
    await front.host.connect(serving.host.multiaddrs()[0]!)
    announceServing(front.directory, serving.host.peerId, serving.host.multiaddrs(), 0.1)
  })
  after(async () => {
    await front.close()
    await serving.close()
    await engine.dispose()
    await dir[Symbol.asyncDispose]()
  })

  test('a node without the model proxies a generation to a node that runs no API', async () => {
    const local = await collect(serving.inference, TASK)
    const before = observed.finished.length
    const proxied = await collect(front.inference, TASK)
    assert.equal(observed.finished.length, before + 1, 'the serving node ran the proxied generation')
    assert.equal(proxied.text, local.text)
    assert.equal(proxied.tokens, local.tokens)
    assert.ok(proxied.tokens > 0)
  })

  test('stopping the serving inference service unregisters the protocol: the front node finds no node', async () => {
    await serving.inference.stop()
    const before = observed.finished.length
    await assert.rejects(
      collect(front.inference, TASK),
      (err: Error) => err.name === 'InferenceUnavailableError',
    )
    assert.equal(observed.finished.length, before, 'nothing ran on the stopped service')
    await serving.inference.start()
    const again = await collect(front.inference, TASK)
    assert.equal(observed.finished.length, before + 1, 'started again, it serves peers again')
    assert.ok(again.tokens > 0)
  })
})
