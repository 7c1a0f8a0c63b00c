import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import OpenAI from 'openai'
import { silentLogger } from '../../src/log.ts'
import { createNode } from '../../src/node/index.ts'
import { runCli } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { writeTinyModel } from '../inference/fixtures.ts'

test('a node serves a co-owned model end to end: store add --propose, vote, publish, serve, OpenAI client with an API key', async () => {
  await using dir = await tmpDir()
  await using node = await createNode(
    {
      dataDir: dir.path,
      config: { api: { port: 0 }, inference: { threads: 1, refreshMs: 1_000 } },
    },
    { log: silentLogger },
  )
  const model = await writeTinyModel(dir.path, { seed: 7 })
  const added = await runCli(dir.path, [
    '--json',
    '--account',
    'alice',
    'store',
    'add',
    model.path,
    '--propose',
    'commons-demo',
  ])
  assert.equal(added.code, 0, added.stderr)
  const ref = added.json.proposal.ref
  const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim()
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${node.apiUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    assert.ok(res.ok, `${path}: ${await res.clone().text()}`)
  }
  await post('/api/chain/warp', { seconds: 301 })
  await post(`/api/proposals/${ref}/votes`, { account: 'alice', support: 'for' })
  await post(`/api/proposals/${ref}/votes`, { account: 'bob', support: 'for' })
  await post('/api/chain/warp', { seconds: 3601 })
  await post(`/api/proposals/${ref}/queue`, {})
  await post('/api/chain/warp', { seconds: 601 })
  await post(`/api/proposals/${ref}/execute`, {})

  assert.equal((await runCli(dir.path, ['serve', 'commons-demo'])).code, 0)
  const key = await runCli(dir.path, ['--json', 'key', 'create', '--label', 'test'])
  assert.equal(key.code, 0, key.stderr)

  const client = new OpenAI({ baseURL: `${node.apiUrl}/v1`, apiKey: key.json.key, maxRetries: 0 })
  const deadline = Date.now() + 60_000
  let reply: OpenAI.Chat.Completions.ChatCompletion | undefined
  while (!reply) {
    try {
      reply = await client.chat.completions.create({
        model: 'commons-demo',
        messages: [{ role: 'user', content: 'Hello' }],
        max_tokens: 8,
        temperature: 0,
      })
    } catch (err) {
      // 503 until the node has loaded the newly published version.
      if (!(err instanceof OpenAI.APIError) || err.status !== 503 || Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, 500))
    }
  }
  assert.equal(reply.usage?.completion_tokens, 8)
  assert.ok((reply.choices[0]?.message.content ?? '').length > 0)
  const models = await client.models.list()
  assert.ok(models.data.some((m) => m.id.startsWith('commons-demo')))
  const bad = new OpenAI({ baseURL: `${node.apiUrl}/v1`, apiKey: 'mc_nope_nope', maxRetries: 0 })
  await assert.rejects(bad.models.list(), OpenAI.AuthenticationError)
})
