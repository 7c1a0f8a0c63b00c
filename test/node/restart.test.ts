import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { base58btc } from 'multiformats/bases/base58'
import { hexToBytes } from 'viem'
import { silentLogger } from '../../src/log.ts'
import { createNode } from '../../src/node/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { writeTinyModel } from '../inference/fixtures.ts'

test('after a restart, models, shares, proposals, votes and versions are all still there', async () => {
  await using dir = await tmpDir()
  const start = () => createNode({ dataDir: dir.path, config: { api: { port: 0 } } }, { log: silentLogger })

  let node = await start()
  const g = node.governance
  const [demo] = await g.listModels()
  assert.equal(demo?.name, 'commons-demo')
  const created = await g.createModel({
    account: 'node',
    name: 'restart-model',
    owners: [
      { owner: 'alice', shares: '60' },
      { owner: 'bob', shares: '40' },
    ],
    settings: { votingDelay: 300, votingPeriod: 3_600, timelockDelay: 600 },
  })
  // The node proposes only content it holds and llama.cpp loads: a tiny model, added through the API first.
  const model = await writeTinyModel(dir.path, { seed: 5 })
  const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim()
  const added = (await (
    await fetch(`${node.apiUrl}/api/store/add`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ path: model.path }),
    })
  ).json()) as { root: string; size: number }
  const p = await g.propose({
    account: 'alice',
    model: created.name,
    kind: 'publish-version',
    contentRoot: added.root,
    size: String(added.size),
  })
  await node.devnet!.warp(301)
  await g.vote({ account: 'alice', proposal: p.ref, support: 'for', reason: 'ship it' })
  await g.vote({ account: 'bob', proposal: p.ref, support: 'against' })
  await node.devnet!.warp(3_601)
  await g.queue({ account: 'bob', proposal: p.ref })
  await node.devnet!.warp(601)
  await g.execute({ account: 'bob', proposal: p.ref })
  const before = {
    models: await g.listModels(),
    model: await g.showModel(created.name),
    proposals: await g.listProposals(),
    votes: await g.votes(p.ref),
    shares: await g.shares({ model: created.name, account: 'alice' }),
    nodes: await g.listNodes(),
  }
  await node.stop()

  node = await start()
  try {
    const h = node.governance
    assert.deepEqual(await h.listModels(), before.models)
    assert.deepEqual(await h.showModel(created.name), before.model)
    assert.deepEqual(await h.listProposals(), before.proposals)
    assert.deepEqual(await h.votes(p.ref), before.votes)
    assert.deepEqual(await h.shares({ model: created.name, account: 'alice' }), before.shares)
    // The node re-registers its new listen address (port 0) but keeps its identity and PeerId.
    const strip = (ns: typeof before.nodes) => ns.map(({ multiaddrs, updatedAt, ...rest }) => rest)
    const nodesAfter = await h.listNodes()
    assert.deepEqual(strip(nodesAfter), strip(before.nodes))
    const peerId = base58btc.encode(hexToBytes(nodesAfter[0]!.peerIdBytes as `0x${string}`)).slice(1)
    assert.ok(
      nodesAfter[0]!.multiaddrs[0]!.endsWith(`/p2p/${peerId}`),
      'registry PeerId = the libp2p host PeerId',
    )
    assert.equal(before.model.versions[0]?.status, 'published')
    assert.equal(before.votes.length, 2)
    // Time keeps moving forward after the reload (anvil forgets its warp offset; the node re-anchors it).
    const chainNow = (await node.chain.public.getBlock()).timestamp
    assert.ok(chainNow >= BigInt(before.proposals.at(-1)!.eta), 'chain time went backwards after reload')
    // And the node keeps working: a new proposal on the restarted chain.
    const p2 = await h.propose({
      account: 'alice',
      model: created.name,
      kind: 'mint-shares',
      to: 'carol',
      shares: '5',
    })
    assert.equal(p2.ref, `${created.id}.2`)
  } finally {
    await node.stop()
  }
})

test('a second node on the same data dir is refused with a clear error', async () => {
  await using dir = await tmpDir()
  const node = await createNode(
    {
      dataDir: dir.path,
      config: { api: { port: 0 }, demo: false },
    },
    { log: silentLogger },
  )
  try {
    await assert.rejects(
      createNode({ dataDir: dir.path, config: { api: { port: 0 } } }, { log: silentLogger }),
      (e: Error) => e.name === 'NodeAlreadyRunningError' && /already runs/.test(e.message),
    )
  } finally {
    await node.stop()
  }
})
