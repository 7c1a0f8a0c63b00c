import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

/** The node's request counter for one route, from its /metrics. */
async function requests(apiUrl: string, method: string, route: string, status: number): Promise<number> {
  const text = await (await fetch(`${apiUrl}/metrics`)).text()
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(`commons_http_requests_total{method="${method}",route="${route}",status="${status}"}`),
    )
  return line === undefined ? 0 : Number(line.split(' ').at(-1))
}

test('with a node running, CLI writes go through it: key create/revoke, serve, init', async () => {
  await using dir = await tmpDir()
  const node = await startNodeProcess(dir.path, ['--no-demo'])
  try {
    const v1 = (key?: string) =>
      fetch(`${node.apiUrl}/v1/models`, { headers: key ? { authorization: `Bearer ${key}` } : {} })
    assert.equal((await v1()).status, 401)

    // key create: the node issues the key, and /v1 accepts it at once (no restart).
    const created = await runCli(dir.path, ['--json', 'key', 'create', '--label', 'through-node'])
    assert.equal(created.code, 0, created.stderr)
    assert.match(created.json.key, /^mc_/)
    assert.equal(await requests(node.apiUrl, 'POST', '/api/keys', 201), 1, 'the node created the key')
    assert.equal((await v1(created.json.key)).status, 200)
    const file = await readFile(join(dir.path, 'api-keys.json'), 'utf8')
    assert.ok(file.includes(created.json.id), 'the node persisted the key')
    assert.ok(!file.includes(created.json.key), 'only its hash is stored')

    const listed = await runCli(dir.path, ['--json', 'key', 'list'])
    assert.deepEqual(
      listed.json.map((k: { id: string }) => k.id),
      [created.json.id],
    )
    assert.ok(!JSON.stringify(listed.json).includes('hash'))
    assert.equal(await requests(node.apiUrl, 'GET', '/api/keys', 200), 1)

    // key revoke: through the node too; /v1 refuses the key from the next request.
    const revoked = await runCli(dir.path, ['--json', 'key', 'revoke', created.json.id])
    assert.equal(revoked.code, 0, revoked.stderr)
    assert.notEqual(revoked.json.revokedAt, null)
    assert.equal(await requests(node.apiUrl, 'POST', '/api/keys', 200), 1)
    assert.equal((await v1(created.json.key)).status, 401)
    const unknown = await runCli(dir.path, ['key', 'revoke', 'ffffffffffff'])
    assert.equal(unknown.code, 3, unknown.stderr)
    assert.match(unknown.stderr, /^error: No API key has id ffffffffffff/)

    // serve: the node writes its serving list.
    const served = await runCli(dir.path, ['--json', 'serve', 'some-model'])
    assert.equal(served.code, 0, served.stderr)
    assert.deepEqual(served.json.models, ['some-model'])
    assert.equal(await requests(node.apiUrl, 'POST', '/api/serving', 200), 1)
    const removed = await runCli(dir.path, ['--json', 'serve', 'some-model', '--remove'])
    assert.deepEqual(removed.json.models, [])

    // init: the data dir is the running node's; nothing is rewritten.
    const configBefore = await stat(join(dir.path, 'config.json')).catch(() => undefined)
    const init = await runCli(dir.path, ['--json', 'init'])
    assert.equal(init.code, 0, init.stderr)
    assert.deepEqual(init.json, { dataDir: dir.path, address: node.address, created: false })
    assert.equal(
      (await stat(join(dir.path, 'config.json')).catch(() => undefined))?.mtimeMs,
      configBefore?.mtimeMs,
    )
  } finally {
    await node.stop()
  }
})
