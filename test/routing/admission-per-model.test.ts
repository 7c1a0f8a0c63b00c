import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { InferenceEngine } from '../../src/inference/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine } from '../openai/fixtures.ts'
import { announceServing, type PeerNode, startPeerNode } from './fixtures.ts'

// The per-model admission cap counts requests on this node's engine (from /v1 and from peers), not the
// ones it only forwards: a gateway without the model, capped at 1, forwards a burst of 6 to a serving peer
// whose own cap admits them; a serving node at its cap sends the overflow to a peer instead of refusing.

describe('admission per served model', () => {
  let dir: Awaited<ReturnType<typeof tmpDir>>
  let engine: InferenceEngine
  let serving: PeerNode
  let gateway: PeerNode
  let solo: PeerNode

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path, 2)
    serving = await startPeerNode({ engine, limits: { maxInFlightPerModel: 16 } })
    gateway = await startPeerNode({ limits: { maxInFlightPerModel: 1 } })
    solo = await startPeerNode({ engine, limits: { maxInFlightPerModel: 1 } })
    await gateway.host.connect(serving.host.multiaddrs()[0]!)
    announceServing(gateway.directory, serving.host.peerId, serving.host.multiaddrs().map(String), 0)
  })
  after(async () => {
    await gateway?.close()
    await serving?.close()
    await solo?.close()
    await engine?.dispose()
    await dir?.[Symbol.asyncDispose]()
  })

  const status = async (r: Response): Promise<number> => {
    await r.text()
    return r.status
  }
  const complete = (url: string, i: number) =>
    fetch(`${url}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: `Story ${i}`, max_tokens: 24, seed: i }),
    })

  test('a gateway capped at 1 forwards 6 concurrent requests: none is refused, none takes its slots', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 6 }, (_, i) => complete(gateway.api.url, i).then(status)),
    )
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200])
  })

  test('a node at its cap with no peer answers 429 with Retry-After; the slot frees afterwards', async () => {
    const responses = await Promise.all(Array.from({ length: 4 }, (_, i) => complete(solo.api.url, i)))
    const statuses = responses.map((r) => r.status).sort()
    for (const r of responses) await r.text()
    assert.equal(statuses.filter((s) => s === 200).length >= 1, true)
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`)
    assert.ok(responses.find((r) => r.status === 429)!.headers.get('retry-after'))
    assert.equal((await complete(solo.api.url, 9)).status, 200)
  })

  test('a serving node at its cap forwards the overflow to a peer instead of refusing it', async () => {
    await solo.host.connect(serving.host.multiaddrs()[0]!)
    announceServing(solo.directory, serving.host.peerId, serving.host.multiaddrs().map(String), 0)
    const statuses = await Promise.all(
      Array.from({ length: 4 }, (_, i) => complete(solo.api.url, 20 + i).then(status)),
    )
    assert.deepEqual(statuses, [200, 200, 200, 200])
  })
})
