import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { propose } from '../../src/chain/actions/propose.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { publishVersionCall } from '../../src/chain/proposal-calls.ts'
import { createTinyLlama, encodeGguf } from '../../src/gguf/index.ts'
import { silentLogger } from '../../src/log.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { createNode, dataDirLayout, Keystore } from '../../src/node/index.ts'
import { runCli } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { until } from '../helpers/until.ts'

test('random bytes cannot be proposed as a version; published anyway by a direct contract call, the node keeps serving the previous version and says why', async () => {
  await using dir = await tmpDir()
  await using node = await createNode(
    {
      dataDir: dir.path,
      config: { api: { port: 0 }, inference: { threads: 1, refreshMs: 1_000, open: true } },
    },
    { log: silentLogger },
  )
  const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim()
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${node.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, json: (await res.json()) as Record<string, any> }
  }
  const serving = async () => (await call('GET', '/api/serving')).json
  const first = await until('the demo model to be served', async () => {
    const s = await serving()
    return s.serving?.find((m: { model: string }) => m.model === 'commons-demo')
  })
  assert.equal(first.version, '1')

  // 200 KB of random bytes, added to the store: the API refuses to propose it, naming the reason.
  const junk = join(dir.path, 'junk.gguf')
  await writeFile(junk, randomBytes(200 * 1024))
  const added = await call('POST', '/api/store/add', { path: junk })
  assert.equal(added.status, 201)
  const refused = await call('POST', '/api/proposals', {
    account: 'alice',
    model: 'commons-demo',
    kind: 'publish-version',
    contentRoot: added.json.root,
    size: String(added.json.size),
  })
  assert.equal(refused.status, 400, JSON.stringify(refused.json))
  assert.equal(refused.json.error.code, 'UnloadableModelError')
  assert.match(refused.json.error.message, /not a loadable GGUF model: .*magic/i)
  // A root this node does not hold cannot be checked, so it is refused too.
  const unknown = await call('POST', '/api/proposals', {
    account: 'alice',
    model: 'commons-demo',
    kind: 'publish-version',
    contentRoot: 'ab'.repeat(32),
    size: '1000',
  })
  assert.equal(unknown.json.error?.code, 'VersionContentMissingError', JSON.stringify(unknown.json))
  const model = node.governance
  assert.equal((await model.listVersions('commons-demo')).length, 1, 'nothing was recorded on chain')

  // Alice bypasses the node: records the junk and proposes publishing it straight on the contracts.
  const alice = await new Keystore({ dir: dataDirLayout(dir.path).accounts }).get('alice')
  const access = createChainAccess({ rpcUrl: node.rpcUrl, deployment: node.deployment })
  const demo = (await model.listModels()).find((m) => m.name === 'commons-demo')!
  const contracts = { registry: node.deployment.modelRegistry, shares: demo.shares, timelock: demo.timelock }
  const record = (file: { root: string; size: number }) =>
    proposeVersion(access.writer(alice), {
      modelId: BigInt(demo.id),
      contentRoot: `0x${file.root}`,
      format: 'gguf',
      size: BigInt(file.size),
      cardURI: '',
    })
  const publishDirectly = async (versionId: bigint) => {
    await propose(access.writer(alice), {
      governor: demo.governor,
      calls: [publishVersionCall(contracts, BigInt(demo.id), versionId)],
      description: `Publish version ${versionId} straight on the contracts`,
    })
    const ref = (await model.listProposals('commons-demo')).at(-1)!.ref
    await node.devnet!.warp(301)
    await model.vote({ account: 'alice', proposal: ref, support: 'for' })
    await model.vote({ account: 'bob', proposal: ref, support: 'for' })
    await node.devnet!.warp(3_601)
    await model.queue({ account: 'carol', proposal: ref })
    await node.devnet!.warp(601)
    await model.execute({ account: 'carol', proposal: ref })
  }
  const versionId = await record(added.json as { root: string; size: number })
  // Proposing that recorded candidate by its id through the node is refused just the same.
  await assert.rejects(
    model.propose({
      account: 'alice',
      model: 'commons-demo',
      kind: 'publish-version',
      versionId: String(versionId),
    }),
    (e: Error) => e.name === 'UnloadableModelError',
  )
  await publishDirectly(versionId)
  assert.equal((await model.showModel('commons-demo')).latestPublishedVersion, String(versionId))

  // The node tries the new version, refuses it, reports why, and keeps serving version 1.
  const failure = await until('the load failure to be reported', async () => {
    const s = await serving()
    return s.failures?.find((f: { versionId: string }) => f.versionId === String(versionId))
  })
  assert.match(failure.reason, /magic/i)
  assert.equal(failure.model, 'commons-demo')
  const after = await serving()
  assert.deepEqual(
    after.serving.map((m: { model: string; version: string }) => [m.model, m.version]),
    [['commons-demo', '1']],
  )
  const metrics = await (
    await fetch(`${node.apiUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } })
  ).text()
  assert.match(metrics, /^commons_model_load_failures 1$/m, 'one failure so far')
  const cli = await runCli(dir.path, ['serve'])
  assert.match(cli.stdout, new RegExp(`NOT LOADED commons-demo@${versionId}: .*magic`, 'i'))
  assert.match(cli.stdout, /loaded commons-demo@1 /)
  // A valid GGUF container that llama.cpp refuses (a block's tensor missing), published the same way: the
  // engine's own load fails, and the node still serves version 1.
  const full = createTinyLlama({ seed: 31, nEmbd: 64, nLayer: 2, nHead: 4, nCtx: 512 })
  const broken = join(dir.path, 'broken.gguf')
  await writeFile(
    broken,
    encodeGguf({ ...full, tensors: full.tensors.filter((t) => t.name !== 'blk.1.ffn_up.weight') }),
  )
  const brokenAdded = await call('POST', '/api/store/add', { path: broken })
  const brokenVersion = await record(brokenAdded.json as { root: string; size: number })
  await publishDirectly(brokenVersion)
  const engineFailure = await until('the engine load failure to be reported', async () => {
    const s = await serving()
    return s.failures?.find((f: { versionId: string }) => f.versionId === String(brokenVersion))
  })
  assert.match(engineFailure.reason, /llama\.cpp could not load/)
  assert.deepEqual(
    (await serving()).serving.map((m: { model: string; version: string }) => [m.model, m.version]),
    [['commons-demo', '1']],
  )
  // Requests for the model still get answers, from version 1.
  const models = await fetch(`${node.apiUrl}/v1/models/commons-demo`)
  assert.equal(models.status, 200)
  const reply = await fetch(`${node.apiUrl}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'commons-demo', prompt: 'hello', max_tokens: 4 }),
  })
  assert.equal(reply.status, 200, await reply.clone().text())
  assert.equal(((await reply.json()) as { choices: unknown[] }).choices.length, 1)
})
