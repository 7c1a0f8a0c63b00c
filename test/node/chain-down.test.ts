import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ApiKeyStore } from '../../src/api/index.ts'
import { silentLogger } from '../../src/log.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { createNode } from '../../src/node/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('with the chain gone, /healthz says degraded (503), /v1 keeps serving the model it knows, and what needs the chain answers 503 chain_unavailable, not 500', async () => {
  await using dir = await tmpDir()
  await using node = await createNode(
    { dataDir: dir.path, config: { api: { port: 0 } } },
    { log: silentLogger },
  )
  const key = (await new ApiKeyStore({ path: dataDirLayout(dir.path).apiKeys }).create({ label: 'x' })).key
  const healthy = await fetch(`${node.apiUrl}/healthz`)
  assert.equal(healthy.status, 200)
  assert.equal(((await healthy.json()) as { chain: { status: string } }).chain.status, 'ok')

  const ask = (model: string) =>
    fetch(`${node.apiUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
    })
  // One request while the chain is up: the node now knows the model's policy and version.
  assert.equal((await ask('commons-demo')).status, 200)

  await node.devnet!.kill()
  await new Promise((r) => setTimeout(r, 2_100)) // past the policy cache
  const health = await fetch(`${node.apiUrl}/healthz`)
  assert.equal(health.status, 503)
  const body = (await health.json()) as { status: string; degraded: string[]; chain: { status: string } }
  assert.equal(body.status, 'degraded')
  assert.deepEqual(body.degraded, ['chain'])
  assert.equal(body.chain.status, 'unavailable')

  const served = await ask('commons-demo')
  assert.equal(served.status, 200, `the known model is still served: ${await served.clone().text()}`)
  // A model it never read cannot be checked against its owners' policy: 503, not a guess.
  const unknown = await ask('never-seen')
  assert.equal(unknown.status, 503)
  assert.equal(((await unknown.json()) as { error: { type: string } }).error.type, 'chain_unavailable')
  const api = await fetch(`${node.apiUrl}/api/models`)
  assert.equal(api.status, 503)
  assert.match(((await api.json()) as { error: { message: string } }).error.message, /unreachable/)
})
