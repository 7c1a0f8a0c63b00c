import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { InferenceRouter } from '../../src/inference/router/inference-router.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { writeTinyModel } from '../inference/fixtures.ts'
import {
  announceServing,
  type PeerNode,
  type ServingProcess,
  spawnServingNode,
  startPeerNode,
} from './fixtures.ts'

let dir: AsyncDisposable & { path: string }
let liar: ServingProcess
let honest: ServingProcess
let front: PeerNode

before(async () => {
  dir = await tmpDir()
  const { path: modelPath } = await writeTinyModel(dir.path, { nEmbd: 64, nLayer: 2, nCtx: 1024 })
  ;[liar, honest] = await Promise.all([
    spawnServingNode({ modelPath, delayMs: 60 }),
    spawnServingNode({ modelPath, delayMs: 2 }),
  ])
  front = await startPeerNode()
  for (const [peer, load] of [
    [liar, 0],
    [honest, 0.9],
  ] as const) {
    await front.host.connect(peer.addrs[0]!)
    announceServing(front.directory, peer.peerId, peer.addrs, load)
  }
})
after(async () => {
  liar?.kill()
  honest?.kill()
  await front?.close()
  await dir?.[Symbol.asyncDispose]()
})

test('a peer announcing load 0 but measured slow does not get every request: the measured-faster one does', async () => {
  const requests = 8
  for (let i = 0; i < requests; i++) {
    const res = await fetch(`${front.api.url}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tiny', prompt: `hello ${i}`, max_tokens: 16, temperature: 0 }),
    })
    assert.equal(res.status, 200, await res.text())
  }
  const scores = (front.api.service as unknown as { router: InferenceRouter }).router.scores
  const byLiar = scores.get(liar.peerId)?.samples ?? 0
  const byHonest = scores.get(honest.peerId)?.samples ?? 0
  process.stderr.write(
    `# liar (load 0, ${scores.get(liar.peerId)?.msPerToken?.toFixed(1)} ms/token) served ${byLiar}/${requests}; honest (load 0.9, ${scores.get(honest.peerId)?.msPerToken?.toFixed(1)} ms/token) served ${byHonest}\n`,
  )
  assert.equal(byLiar + byHonest, requests)
  assert.ok(byLiar <= 1, `the lying peer served ${byLiar} of ${requests}`)
})
