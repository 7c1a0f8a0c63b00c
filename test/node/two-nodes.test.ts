import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { parseEther } from 'viem'
import { silentLogger } from '../../src/log.ts'
import { createCommonsHost } from '../../src/net/index.ts'
import { createNode } from '../../src/node/index.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { runCli } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { until } from '../helpers/until.ts'
import { writeTinyModel } from '../inference/fixtures.ts'

test('two nodes on one chain: registry admission, store add/fetch through the CLI, followers fetch published versions', async () => {
  await using dirA = await tmpDir()
  await using dirB = await tmpDir()
  const fast = { announceIntervalMs: 300 }
  await using a = await createNode(
    {
      dataDir: dirA.path,
      config: { api: { port: 0 }, net: fast },
    },
    { log: silentLogger },
  )
  const headers = async (dir: string) => ({
    authorization: `Bearer ${(await readFile(join(dir, 'api-token'), 'utf8')).trim()}`,
    'content-type': 'application/json',
  })
  const peersOf = async (url: string) => (await fetch(`${url}/api/peers`).then((r) => r.json())) as any

  // B uses A's chain through --rpc; its key is funded on the devnet before it registers itself.
  const bKey = await new Keystore({ dir: join(dirB.path, 'accounts') }).create('node')
  await a.devnet!.fund(bKey.address, parseEther('100'))
  const selfA = (await peersOf(a.apiUrl)).self
  await using b = await createNode(
    {
      dataDir: dirB.path,
      config: {
        api: { port: 0 },
        demo: false,
        chain: { mode: 'rpc', rpcUrl: a.rpcUrl, deploymentFile: join(dirA.path, 'chain', 'deployment.json') },
        net: { ...fast, bootstrap: selfA.multiaddrs },
        store: { follow: ['commons-demo'] },
      },
    },
    { log: process.env.DEBUG_B ? (await import('../../src/log.ts')).createLogger('warn') : silentLogger },
  )
  await until('B connected to A', async () =>
    (await peersOf(b.apiUrl)).peers.some((p: any) => p.connected) ? true : undefined,
  )

  // A peer whose key is not in NodeRegistry cannot connect.
  const stranger = createCommonsHost(
    { privateKey: randomBytes(32), listen: ['/ip4/127.0.0.1/tcp/0'], isAdmitted: async () => true },
    { log: silentLogger },
  )
  await stranger.start()
  try {
    await assert.rejects(stranger.connect(selfA.multiaddrs[0]))
    await new Promise((r) => setTimeout(r, 300))
    assert.ok(!(await peersOf(a.apiUrl)).peers.some((p: any) => p.peerId === stranger.peerId && p.connected))
  } finally {
    await stranger.stop()
  }

  // store add on A (CLI), store fetch on B (CLI): the bytes arrive verified.
  const file = join(dirA.path, 'weights.bin')
  await writeFile(file, randomBytes(3 * 1024 * 1024 + 17))
  const added = await runCli(dirA.path, ['--json', 'store', 'add', file, '--name', 'weights.bin'])
  assert.equal(added.code, 0, added.stderr)
  const root: string = added.json.root
  assert.match(root, /^[0-9a-f]{64}$/)
  await until('A announces the root', async () =>
    (await peersOf(b.apiUrl)).peers.some((p: any) => p.roots > 0) ? true : undefined,
  )
  const fetched = await runCli(dirB.path, ['--json', 'store', 'fetch', root])
  assert.equal(fetched.code, 0, fetched.stderr)
  assert.equal(fetched.json.size, 3 * 1024 * 1024 + 17)
  const lsB = await runCli(dirB.path, ['--json', 'store', 'ls'])
  assert.ok(lsB.json.some((c: any) => c.root === root && c.complete))
  const unknown = await runCli(dirB.path, ['store', 'fetch', 'ab'.repeat(32)])
  assert.notEqual(unknown.code, 0)
  assert.match(unknown.stderr, /No peer announces content/)

  // Governance publishes a new version on A; B follows the model and fetches it by itself.
  // A version must be a GGUF llama.cpp loads (random bytes are refused before the proposal).
  const { path: v2 } = await writeTinyModel(dirA.path, { seed: 13, nEmbd: 128 })
  const proposed = await runCli(dirA.path, [
    '--json',
    '--account',
    'alice',
    'store',
    'add',
    v2,
    '--propose',
    'commons-demo',
  ])
  assert.equal(proposed.code, 0, proposed.stderr)
  const ref = proposed.json.proposal.ref
  const root2: string = proposed.json.root
  const api = async (path: string, body: unknown) => {
    const res = await fetch(`${a.apiUrl}${path}`, {
      method: 'POST',
      headers: await headers(dirA.path),
      body: JSON.stringify(body),
    })
    assert.ok(res.ok, `${path}: ${await res.clone().text()}`)
    return res.json()
  }
  await api('/api/chain/warp', { seconds: 301 })
  await api(`/api/proposals/${ref}/votes`, { account: 'alice', support: 'for' })
  await api(`/api/proposals/${ref}/votes`, { account: 'bob', support: 'for' })
  await api('/api/chain/warp', { seconds: 3601 })
  await api(`/api/proposals/${ref}/queue`, {})
  await api('/api/chain/warp', { seconds: 601 })
  await api(`/api/proposals/${ref}/execute`, {})
  await until('B fetched the published version', async () => {
    const ls = (await fetch(`${b.apiUrl}/api/store`).then((r) => r.json())) as any
    return ls.contents.some((c: any) => c.root === root2 && c.complete) ? true : undefined
  })
})
