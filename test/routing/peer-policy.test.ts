import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import OpenAI from 'openai'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ApiKeyStore } from '../../src/api/index.ts'
import type { UsagePolicy } from '../../src/chain/index.ts'
import type { InferenceEngine } from '../../src/inference/index.ts'
import { silentLogger } from '../../src/log.ts'
import { type CommonsHost, createCommonsHost, FrameReader, writeJson } from '../../src/net/index.ts'
import { UsageGate } from '../../src/policy/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine, TINY_ROOT } from '../openai/fixtures.ts'
import { announceServing, type PeerNode, startPeerNode } from './fixtures.ts'

const INFER_PROTOCOL = '/commons/infer/1.0.0'
const dave = privateKeyToAccount(generatePrivateKey()).address
const eve = privateKeyToAccount(generatePrivateKey()).address

/** Model 1 is allowlist-only and dave is on the list (as the chain would say). */
const policy: UsagePolicy = {
  open: false,
  promptPricePer1k: 0n,
  completionPricePer1k: 0n,
  requestsPerMinute: 0,
  termsURI: '',
  termsHash: `0x${'0'.repeat(64)}`,
}
const gate = new UsageGate({
  policy: async () => policy,
  allowlisted: async (_m, consumer) => consumer.toLowerCase() === dave.toLowerCase(),
  acceptedTerms: async () => `0x${'0'.repeat(64)}`,
})
/** The serving node's peer admission: model 1 owns the tiny root; then the gate, as in policy/index.ts. */
async function admitPeerRequest(req: { contentRoot: string; modelId?: string; consumer?: `0x${string}` }) {
  if (req.modelId !== '1' || req.contentRoot.toLowerCase() !== TINY_ROOT) throw new Error('unexpected model')
  await gate.admit({ modelId: req.modelId, modelName: 'tiny', consumer: req.consumer })
}

describe('the usage policy holds on the peer protocol', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let serving: PeerNode
  let gateway: PeerNode
  let raw: CommonsHost
  let keys: ApiKeyStore

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path)
    serving = await startPeerNode({ engine, admitPeerRequest })
    keys = new ApiKeyStore({ path: `${dir.path}/keys.json` })
    // A gateway that applies no policy itself (an older node, or one whose cache is stale).
    gateway = await startPeerNode({ apiKeys: keys })
    await gateway.host.connect(serving.host.multiaddrs()[0]!)
    announceServing(gateway.directory, serving.host.peerId, serving.host.multiaddrs(), 0.1)
    raw = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
    await raw.start()
    await raw.connect(serving.host.multiaddrs()[0]!)
  })
  after(async () => {
    await raw.stop()
    await gateway.close()
    await serving.close()
    await engine.dispose()
    await dir[Symbol.asyncDispose]()
  })

  /** What a hand-written peer gets for a generate frame on behalf of `scope`. */
  async function askDirectly(scope: Record<string, string>): Promise<unknown> {
    const stream = await raw.dial(serving.host.peerId, INFER_PROTOCOL)
    await writeJson(stream, {
      type: 'generate',
      contentRoot: TINY_ROOT,
      task: {
        input: { kind: 'completion', prompt: 'hi' },
        params: { maxTokens: 2, temperature: 0, topP: 1, seed: 1, stop: [] },
      },
      generated: [],
      ...scope,
    })
    const frame = await new FrameReader(stream).next()
    return frame === null ? null : JSON.parse(new TextDecoder().decode(frame.subarray()))
  }

  test('a peer asking for a consumer the policy refuses gets the refusal, and no tokens', async () => {
    const forEve = JSON.stringify(await askDirectly({ modelId: '1', consumer: eve }))
    assert.match(forEve, /NotAllowlistedError/)
    const anonymous = JSON.stringify(await askDirectly({ modelId: '1' }))
    assert.match(anonymous, /ConsumerUnknownError/)
    const forDave = JSON.stringify(await askDirectly({ modelId: '1', consumer: dave }))
    assert.match(forDave, /"type":"chunk"/)
  })

  test('through a gateway, the serving node refuses a consumer the policy does not admit: 403, not a failover or 500', async () => {
    const client = async (address: `0x${string}`) =>
      new OpenAI({
        baseURL: gateway.api.url,
        apiKey: (await keys.create({ label: address, address })).key,
        maxRetries: 0,
      })
    await assert.rejects(
      (await client(eve)).completions.create({ model: 'tiny', prompt: 'hi', max_tokens: 2 }),
      (e: InstanceType<typeof OpenAI.APIError>) => e.status === 403 && /usage policy/.test(e.message),
    )
    const ok = await (await client(dave)).completions.create({ model: 'tiny', prompt: 'hi', max_tokens: 2 })
    assert.ok(ok.choices[0]?.text !== undefined)
  })
})
