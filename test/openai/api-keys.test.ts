import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { Command } from 'commander'
import OpenAI from 'openai'
import { ApiKeyStore } from '../../src/api/api-keys/api-key-store.ts'
import { registerKeyCreate } from '../../src/cli/commands/key-create.ts'
import { registerKeyList } from '../../src/cli/commands/key-list.ts'
import { registerKeyRevoke } from '../../src/cli/commands/key-revoke.ts'
import { registerServe } from '../../src/cli/commands/serve.ts'
import { type InferenceEngine, readServingList } from '../../src/inference/index.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { loadTinyEngine, startApiNode, type TestApiNode } from './fixtures.ts'

/** Runs our commands in-process the way `commons` would (the lead registers them in cli.ts). */
// biome-ignore lint/suspicious/noExplicitAny: parsed CLI JSON output, shape asserted by each test
async function cli(dataDir: string, ...args: string[]): Promise<any> {
  const program = new Command('commons').option('--data <dir>').option('--json').exitOverride()
  const key = program.command('key')
  registerKeyCreate(key)
  registerKeyList(key)
  registerKeyRevoke(key)
  registerServe(program)
  let out = ''
  const write = process.stdout.write
  process.stdout.write = ((chunk: string) => {
    out += chunk
    return true
  }) as typeof process.stdout.write
  try {
    await program.parseAsync(['--data', dataDir, '--json', ...args], { from: 'user' })
  } finally {
    process.stdout.write = write
  }
  return JSON.parse(out)
}

describe('API keys', () => {
  let dir: AsyncDisposable & { path: string }
  let engine: InferenceEngine
  let node: TestApiNode
  let store: ApiKeyStore

  before(async () => {
    dir = await tmpDir()
    engine = await loadTinyEngine(dir.path)
    store = new ApiKeyStore({ path: dataDirLayout(dir.path).apiKeys })
    node = await startApiNode({ engine, apiKeys: store })
  })
  after(async () => {
    await node.close()
    await engine.dispose()
    await dir[Symbol.asyncDispose]()
  })

  test('the store keeps only hashes; verify accepts the key and refuses look-alikes', async () => {
    const { key, record } = await store.create({ label: 'alice', address: `0x${'11'.repeat(20)}` })
    assert.match(key, /^mc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/)
    const file = await readFile(dataDirLayout(dir.path).apiKeys, 'utf8')
    assert.ok(!file.includes(key.split('_').slice(2).join('_')), 'the secret is not on disk')
    assert.deepEqual(await store.verify(key), {
      id: record.id,
      label: 'alice',
      address: `0x${'11'.repeat(20)}`,
    })
    assert.equal(await store.verify(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`), undefined)
    assert.equal(await store.verify('sk-whatever'), undefined)
    // a second store over the same file (another process) sees the key and the revocation
    const other = new ApiKeyStore({ path: dataDirLayout(dir.path).apiKeys })
    assert.ok(await other.verify(key))
    await other.revoke(record.id)
    assert.equal(await store.verify(key), undefined)
  })

  test('/v1 needs a valid, unrevoked key: AuthenticationError otherwise', async () => {
    const { key, record } = await store.create({ label: 'bob' })
    const good = new OpenAI({ baseURL: node.url, apiKey: key, maxRetries: 0 })
    const r = await good.completions.create({ model: 'tiny', prompt: 'hi', max_tokens: 3 })
    assert.equal(r.usage!.completion_tokens, 3)

    const bad = new OpenAI({
      baseURL: node.url,
      apiKey: 'mc_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      maxRetries: 0,
    })
    await assert.rejects(
      bad.models.list(),
      (err: unknown) => err instanceof OpenAI.AuthenticationError && err.code === 'invalid_api_key',
    )
    const missing = await fetch(`${node.url}/models`)
    assert.equal(missing.status, 401)
    const body = (await missing.json()) as { error: { message: string; type: string } }
    assert.equal(body.error.type, 'authentication_error')
    assert.match(body.error.message, /Authorization: Bearer/)

    await store.revoke(record.id)
    await assert.rejects(good.models.list(), (err: unknown) => err instanceof OpenAI.AuthenticationError)
  })

  test('CLI: key create prints the key once, list shows it without the secret, revoke disables it; serve keeps a list', async () => {
    await using data = await tmpDir()
    const created = await cli(
      data.path,
      'key',
      'create',
      '--label',
      'carol',
      '--address',
      `0x${'22'.repeat(20)}`,
    )
    assert.match(created.key, /^mc_/)
    const listed = await cli(data.path, 'key', 'list')
    assert.equal(listed.length, 1)
    assert.equal(listed[0].id, created.id)
    assert.equal(listed[0].revokedAt, null)
    assert.ok(!JSON.stringify(listed).includes(created.key.split('_').slice(2).join('_')))
    const keys = new ApiKeyStore({ path: dataDirLayout(data.path).apiKeys })
    assert.ok(await keys.verify(created.key))
    const revoked = await cli(data.path, 'key', 'revoke', created.id)
    assert.notEqual(revoked.revokedAt, null)
    assert.equal(await keys.verify(created.key), undefined)
    await assert.rejects(cli(data.path, 'key', 'revoke', 'ffffffffffff'), { name: 'ApiKeyNotFoundError' })

    assert.deepEqual((await cli(data.path, 'serve', 'tiny')).models, ['tiny'])
    assert.deepEqual((await cli(data.path, 'serve', 'other@2')).models, ['tiny', 'other@2'])
    assert.deepEqual((await cli(data.path, 'serve', 'tiny', '--remove')).models, ['other@2'])
    assert.deepEqual(await readServingList(dataDirLayout(data.path).servingList), ['other@2'])
    await assert.rejects(cli(data.path, 'serve', 'bad name'), { name: 'InvalidInputError' })
  })
})
