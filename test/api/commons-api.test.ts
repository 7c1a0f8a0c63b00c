import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { silentLogger } from '../../src/log.ts'
import { createNode } from '../../src/node/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('the Commons REST API validates input, authenticates writes and answers with typed errors', async () => {
  await using dir = await tmpDir()
  await using node = await createNode(
    { dataDir: dir.path, config: { api: { port: 0 } } },
    { log: silentLogger },
  )
  const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim()
  const call = async (method: string, path: string, body?: string, auth = true) => {
    const res = await fetch(`${node.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
      body,
    })
    return { status: res.status, body: (await res.json()) as any }
  }

  const health = await call('GET', '/healthz')
  assert.equal(health.status, 200)
  assert.equal(health.body.address, node.address)

  const noToken = await call('POST', '/api/models', '{}', false)
  assert.equal(noToken.status, 401)
  assert.equal(noToken.body.error.code, 'UnauthorizedError')

  const badJson = await call('POST', '/api/models', '{"name": ')
  assert.equal(badJson.status, 400)
  assert.deepEqual(Object.keys(badJson.body.error).sort(), ['code', 'message', 'type'])
  assert.match(badJson.body.error.message, /not valid JSON/)

  const missing = await call('POST', '/api/models', JSON.stringify({ name: 'x', owners: [] }))
  assert.equal(missing.status, 400)
  assert.match(missing.body.error.message, /owners/)
  assert.equal(missing.body.error.details.field, 'owners')
  // Messages speak the domain's words: an HTTP client never reads a CLI flag.
  for (const body of [
    { name: '', owners: [{ owner: 'alice', shares: 1 }] },
    { name: 'x', owners: [{ owner: '0x12', shares: 1 }] },
    { name: 'x', owners: [{ owner: 'alice', shares: 0 }] },
    { name: 'x', owners: [{ owner: 'alice', shares: 1 }], settings: { quorumPercent: 101 } },
  ]) {
    const r = await call('POST', '/api/models', JSON.stringify(body))
    assert.equal(r.status, 400, JSON.stringify(body))
    assert.doesNotMatch(r.body.error.message, /--/, r.body.error.message)
  }
  const badRoot = await call(
    'POST',
    '/api/proposals',
    JSON.stringify({ kind: 'publish-version', model: 1, contentRoot: 'abc', size: 10 }),
  )
  assert.equal(badRoot.status, 400)
  assert.match(badRoot.body.error.message, /not a content root/)
  assert.doesNotMatch(badRoot.body.error.message, /--/)

  const huge = await call('POST', '/api/models', JSON.stringify({ name: 'x'.repeat(300_000) }))
  assert.equal(huge.status, 400)
  assert.match(huge.body.error.message, /over \d+ bytes/)

  assert.equal((await call('GET', '/api/models/404-model')).status, 404)
  assert.equal((await call('GET', '/api/nope')).status, 404)
  const badVote = await call('POST', '/api/proposals/1.1/votes', JSON.stringify({ support: 'yes' }))
  assert.equal(badVote.status, 400)

  const created = await call(
    'POST',
    '/api/models',
    JSON.stringify({
      name: 'api-model',
      owners: [
        { owner: 'alice', shares: 51 },
        { owner: 'bob', shares: '49' },
      ],
      settings: { votingDelay: 300 },
    }),
  )
  assert.equal(created.status, 201, JSON.stringify(created.body))
  assert.equal(created.body.totalShares, '100')
  // What creation returns (built from the input and the event) is what a read returns.
  const { transactionHash, ...createdModel } = created.body
  assert.match(transactionHash, /^0x[0-9a-f]{64}$/)
  assert.deepEqual((await call('GET', '/api/models/api-model')).body, createdModel)
  const proposal = await call(
    'POST',
    '/api/proposals',
    JSON.stringify({
      account: 'alice',
      model: 'api-model',
      kind: 'set-policy',
      pricePer1kTokens: '1000',
      open: false,
    }),
  )
  assert.equal(proposal.status, 201, JSON.stringify(proposal.body))
  assert.equal(proposal.body.state, 'pending')
  assert.match(proposal.body.actions[0], /^setPolicy\(/)
  const early = await call(
    'POST',
    `/api/proposals/${proposal.body.ref}/votes`,
    JSON.stringify({ account: 'alice', support: 'for' }),
  )
  assert.equal(early.status, 409)
  assert.equal(early.body.error.code, 'ProposalStateError')
  const nodes = await call('GET', '/api/nodes')
  assert.equal(nodes.body.nodes[0].address, node.address)
  assert.equal((await call('GET', `/api/models/api-model/versions`)).body.versions.length, 0)

  const metrics = await (await fetch(`${node.apiUrl}/metrics`)).text()
  assert.match(metrics, /commons_http_requests_total\{method="POST",route="\/api\/models",status="201"\} 1/)
  assert.match(
    metrics,
    /commons_http_requests_total\{method="POST",route="\/api\/models",status="400"\} [3-9]/,
  )
  assert.match(metrics, /^commons_store_contents \d+$/m)
  assert.match(metrics, /^commons_chain_block \d+$/m)
})
