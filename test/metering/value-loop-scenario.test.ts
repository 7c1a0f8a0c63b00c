import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import OpenAI from 'openai'
import { type Hash, keccak256, parseEther, toHex } from 'viem'
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import { ApiKeyStore } from '../../src/api/index.ts'
import { ModelShares, UsageEscrow } from '../../src/chain/generated/artifacts.ts'
import {
  authorizeEscrowSigner,
  claimContributorRevenue,
  commitTrainingRound,
  createTrainingJob,
  depositToEscrow,
  finishTrainingJob,
  getModelContracts,
  getRevenueSplit,
  joinTrainingJob,
  linkTrainingJob,
  readEarnings,
  recordTrainingProposal,
  signTrainingContribution,
} from '../../src/chain/index.ts'
import { MIN_TAKEOVER_TIMEOUT_S } from '../../src/federated/constants.ts'
import { updateServingList } from '../../src/inference/index.ts'
import { silentLogger } from '../../src/log.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { type CommonsNode, createNode } from '../../src/node/index.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { until } from '../helpers/until.ts'
import { writeTinyModel } from '../inference/fixtures.ts'
import { passDemoProposals } from './fixtures.ts'

// Prices that are not multiples of 1000: every request's price rounds up, and every split part floors.
const PROMPT_PRICE = 2_000_000_001n // wei per 1k prompt tokens
const COMPLETION_PRICE = 7_000_000_003n
const MAG = 2n ** 128n // ModelShares' magnitude for revenue per share
const BPS = 10_000n
const DEPOSIT = parseEther('1')

/** What a request costs, computed here from its usage (ceil over the sum, as the price is defined). */
const price = (u: { prompt_tokens: number; completion_tokens: number }) =>
  (BigInt(u.prompt_tokens) * PROMPT_PRICE + BigInt(u.completion_tokens) * COMPLETION_PRICE + 999n) / 1000n

test('the value loop: 3 owners (40/35/25), 2 serving nodes, 2 training contributors, 2 consumers; after settlements and claims every balance is the expected figure to the wei, and a mid-epoch sale pays seller and buyer their exact parts', async () => {
  await using dirA = await tmpDir()
  await using dirB = await tmpDir()
  // heidi buys shares mid-epoch; her key sits in A's keystore beside the owners', so she claims as they do.
  await new Keystore({ dir: join(dirA.path, 'accounts') }).create('heidi')
  const metering = { settleIntervalSeconds: 0 }
  const inference = { refreshMs: 1_000 }
  await using a = await createNode(
    {
      dataDir: dirA.path,
      config: { api: { port: 0 }, net: { announceIntervalMs: 300 }, metering, inference },
    },
    { log: silentLogger },
  )
  const devnet = a.devnet!
  const access = createChainAccess({ rpcUrl: a.rpcUrl, deployment: a.deployment })
  const chain = access.reader.public
  const as = (who: PrivateKeyAccount) => access.writer(who)
  const api = async (node: CommonsNode, dir: string, method: string, path: string, body?: unknown) => {
    const token = (await readFile(join(dir, 'api-token'), 'utf8')).trim()
    const res = await fetch(`${node.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.json()) as any
    assert.ok(res.ok, `${path}: ${JSON.stringify(json)}`)
    return json
  }

  const ks = new Keystore({ dir: join(dirA.path, 'accounts') })
  const [alice, bob, carol, heidi] = await Promise.all(
    ['alice', 'bob', 'carol', 'heidi'].map((n) => ks.get(n)),
  )
  const owners = { alice: alice!, bob: bob!, carol: carol!, heidi: heidi! }
  const [frank, grace, dave, erin] = Array.from({ length: 4 }, () =>
    privateKeyToAccount(generatePrivateKey()),
  )
  for (const who of [heidi!, frank!, grace!, dave!, erin!]) await devnet.fund(who.address, parseEther('5'))

  const modelId = BigInt((await a.governance.showModel('commons-demo')).id)
  const { shares, timelock } = await getModelContracts(access.reader, modelId)
  const readShares = <T>(functionName: 'balanceOf' | 'totalSupply', args: readonly unknown[] = []) =>
    chain.readContract({ address: shares, abi: ModelShares.abi, functionName, args } as never) as Promise<T>
  const holding = Object.fromEntries(
    await Promise.all(
      Object.entries(owners).map(async ([n, w]) => [n, await readShares<bigint>('balanceOf', [w.address])]),
    ),
  ) as Record<keyof typeof owners, bigint>
  assert.deepEqual(holding, {
    alice: parseEther('40'),
    bob: parseEther('35'),
    carol: parseEther('25'),
    heidi: 0n,
  })
  const supply = await readShares<bigint>('totalSupply')

  // The trained version: new weights (the job's result) in A's store, recorded as a candidate version.
  const [v1] = await a.governance.listVersions('commons-demo')
  const trained = await writeTinyModel(dirA.path, { seed: 2027 })
  const added = await api(a, dirA.path, 'POST', '/api/store/add', { path: trained.path })
  const v2Root = `0x${added.root}` as const
  const v2 = await a.governance.addVersion({
    account: 'alice',
    model: 'commons-demo',
    contentRoot: v2Root,
    size: String(added.size),
  })
  const versionId = BigInt(v2.id)
  assert.equal(versionId, 2n)

  // Its training job on the ledger: alice (a shareholder) creates it, frank and grace join and sign their
  // contributions, frank coordinates, records the result and the publish proposal; anyone links it.
  const jobId = await createTrainingJob(as(alice!), {
    modelId,
    baseVersionId: BigInt(v1!.id),
    baseContentRoot: v1!.contentRoot as `0x${string}`,
    specHash: keccak256(toHex('value loop: one round of local training from version 1')),
    participants: [frank!.address, grace!.address],
    rounds: 1,
    contributionRule: 'examples',
    coordinator: frank!.address,
    takeoverTimeout: BigInt(MIN_TAKEOVER_TIMEOUT_S),
  })
  for (const m of [frank!, grace!]) await joinTrainingJob(as(m), { jobId })
  const contributed = new Map([
    [frank!, 600n],
    [grace!, 401n],
  ])
  const round = { jobId, round: 1, trainedFrom: v1!.contentRoot as `0x${string}` }
  await commitTrainingRound(as(frank!), {
    ...round,
    modelHash: `0x${createHash('sha256')
      .update(await readFile(trained.path))
      .digest('hex')}`,
    inputsCommitment: keccak256(toHex('masked uploads of round 1')),
    contributions: await Promise.all(
      [...contributed].map(async ([m, amount]) => ({
        address: m.address,
        amount,
        signature: await signTrainingContribution(as(m), { ...round, amount }),
      })),
    ),
  })
  await finishTrainingJob(as(frank!), { jobId, resultRoot: v2Root })
  const publish = await a.governance.propose({
    account: 'alice',
    model: 'commons-demo',
    kind: 'publish-version',
    versionId: v2.id,
  } as never)
  await recordTrainingProposal(as(frank!), { jobId, versionId, proposalId: BigInt(publish.id) })
  await linkTrainingJob(as(grace!), { modelId, versionId, jobId })
  // The owners publish the trained version and make the model paid in one round of votes.
  const paid = await a.governance.propose({
    account: 'alice',
    model: 'commons-demo',
    kind: 'set-policy',
    open: true,
    promptPricePer1k: PROMPT_PRICE.toString(),
    completionPricePer1k: COMPLETION_PRICE.toString(),
  } as never)
  await passDemoProposals(a, [publish.ref, paid.ref])
  const split = await getRevenueSplit(access.reader, modelId)
  assert.ok(split.contributors > 0, 'the split gives the contributors a part')

  // B: a second member's node on A's chain, serving the model too (it fetches the weights from A).
  const bKey = await new Keystore({ dir: join(dirB.path, 'accounts') }).create('node')
  await devnet.fund(bKey.address, parseEther('10'))
  await updateServingList(dataDirLayout(dirB.path).servingList, 'commons-demo')
  const selfA = (await api(a, dirA.path, 'GET', '/api/peers')).self
  await using b = await createNode(
    {
      dataDir: dirB.path,
      config: {
        api: { port: 0 },
        demo: false,
        metering,
        inference,
        chain: { mode: 'rpc', rpcUrl: a.rpcUrl, deploymentFile: join(dirA.path, 'chain', 'deployment.json') },
        net: { announceIntervalMs: 300, bootstrap: selfA.multiaddrs },
      },
    },
    { log: silentLogger },
  )
  const nodes = { A: { node: a, dir: dirA.path }, B: { node: b, dir: dirB.path } }
  for (const [name, n] of Object.entries(nodes)) {
    await until(
      `${name} serves version 2`,
      async () => {
        const s = await api(n.node, n.dir, 'GET', '/api/serving')
        return s.serving.some(
          (m: { version: string; contentRoot: string }) => m.version === v2.id && m.contentRoot === v2Root,
        )
          ? true
          : undefined
      },
      60_000,
    )
  }

  // Consumers: dave uses both nodes (an API key on each, both authorised to sign his vouchers), erin uses B.
  const escrow = a.deployment.usageEscrow as `0x${string}`
  const escrowBefore = await chain.getBalance({ address: escrow })
  for (const [who, signers] of [
    [dave!, [a.address, b.address]],
    [erin!, [b.address]],
  ] as const) {
    await depositToEscrow(as(who), DEPOSIT)
    for (const s of signers) await authorizeEscrowSigner(as(who), s)
  }
  const clientOn = async (n: keyof typeof nodes, who: PrivateKeyAccount) => {
    const key = await new ApiKeyStore({ path: dataDirLayout(nodes[n].dir).apiKeys }).create({
      label: 'app',
      address: who.address,
    })
    return new OpenAI({ baseURL: `${nodes[n].node.apiUrl}/v1`, apiKey: key.key, maxRetries: 0 })
  }
  // One payment channel per (consumer, gateway = provider): what each owes since its last redemption.
  const channels = [
    { node: 'A' as const, consumer: dave!, client: await clientOn('A', dave!), pending: 0n },
    { node: 'B' as const, consumer: dave!, client: await clientOn('B', dave!), pending: 0n },
    { node: 'B' as const, consumer: erin!, client: await clientOn('B', erin!), pending: 0n },
  ]
  const served = { A: { requests: 0, wei: 0n }, B: { requests: 0, wei: 0n } }
  const spent = new Map<string, bigint>()
  const useAll = async (n: number) => {
    for (const ch of channels) {
      const r = await ch.client.chat.completions.create({
        model: 'commons-demo',
        messages: [{ role: 'user', content: `request ${n} of ${ch.consumer.address.slice(2, 8)}` }],
        max_tokens: 5,
      })
      assert.ok(r.usage && r.usage.completion_tokens > 0)
      const cost = price(r.usage)
      ch.pending += cost
      served[ch.node].requests++
      served[ch.node].wei += cost
      spent.set(ch.consumer.address, (spent.get(ch.consumer.address) ?? 0n) + cost)
    }
  }

  // Expected figures, voucher by voucher as the escrow allocates them: node, contributors and treasury parts
  // floor, the owners get the rest; the owners' part of one settlement arrives at once, per share at that moment.
  const nodeEarned = { A: 0n, B: 0n }
  let pool = 0n
  let treasury = 0n
  let ownersPaid = 0n
  const ownerAcc = { alice: 0n, bob: 0n, carol: 0n, heidi: 0n }
  const treasuryBefore = await chain.getBalance({ address: timelock })
  const sharesBefore = await chain.getBalance({ address: shares })
  const settle = async (n: keyof typeof nodes) => {
    const mine = channels.filter((ch) => ch.node === n && ch.pending > 0n)
    const due = mine.reduce((s, ch) => s + ch.pending, 0n)
    await until(`${n} holds vouchers for everything it served`, async () => {
      const u = await api(nodes[n].node, nodes[n].dir, 'GET', '/api/usage')
      return BigInt(u.unredeemedWei) === due ? true : undefined
    })
    const settled = await api(nodes[n].node, nodes[n].dir, 'POST', '/api/usage/settle', {})
    assert.equal(settled.vouchers, mine.length, `${n}: one voucher per channel`)
    assert.equal(BigInt(settled.paidWei), due)
    assert.equal(settled.failed, 0)
    let toOwners = 0n
    for (const ch of mine) {
      const x = ch.pending
      const node = (x * BigInt(split.node)) / BPS
      const contributors = (x * BigInt(split.contributors)) / BPS
      const toTreasury = (x * BigInt(split.treasury)) / BPS
      nodeEarned[n] += node
      pool += contributors
      treasury += toTreasury
      toOwners += x - node - contributors - toTreasury
      ch.pending = 0n
    }
    ownersPaid += toOwners
    const perShare = (toOwners * MAG) / supply
    for (const o of Object.keys(ownerAcc) as (keyof typeof ownerAcc)[]) ownerAcc[o] += perShare * holding[o]
  }

  await useAll(1)
  await settle('A')
  // Mid-epoch sale: carol sells 10 of her 25 shares to heidi. Revenue that arrived before is carol's; B's
  // settlement of requests served before the sale arrives after it, so it is paid to the holders of then.
  const sold = parseEther('10')
  const w = as(carol!)
  await chain.waitForTransactionReceipt({
    hash: await w.wallet.writeContract({
      address: shares,
      abi: ModelShares.abi,
      functionName: 'transfer',
      args: [heidi!.address, sold],
      account: carol!,
      chain: w.wallet.chain,
    }),
  })
  holding.carol -= sold
  holding.heidi += sold
  assert.equal(await readShares<bigint>('balanceOf', [heidi!.address]), holding.heidi)
  await settle('B')
  await useAll(2)
  await settle('B')
  await settle('A')
  for (const n of ['A', 'B'] as const) {
    assert.equal((await api(nodes[n].node, nodes[n].dir, 'POST', '/api/usage/settle', {})).vouchers, 0)
  }

  // Both nodes served and settled their own channels.
  for (const n of ['A', 'B'] as const) {
    const u = await api(nodes[n].node, nodes[n].dir, 'GET', '/api/usage')
    assert.equal(u.served.requests, served[n].requests, `${n} served`)
    assert.ok(served[n].requests > 0)
    assert.equal(BigInt(u.served.revenueWei), served[n].wei)
    assert.equal(BigInt(u.settledWei), served[n].wei)
    assert.equal(BigInt(u.unredeemedWei), 0n)
  }

  // Consumers paid exactly what they were served; the treasury got its part.
  for (const who of [dave!, erin!]) {
    assert.equal((await readEarnings(access.reader, who.address)).deposit, DEPOSIT - spent.get(who.address)!)
  }
  assert.equal((await chain.getBalance({ address: timelock })) - treasuryBefore, treasury)
  const escrowRead = (functionName: 'contributorPoolOf', args: readonly unknown[]) =>
    chain.readContract({
      address: escrow,
      abi: UsageEscrow.abi,
      functionName,
      args,
    } as never) as Promise<bigint>
  assert.equal(await escrowRead('contributorPoolOf', [modelId, versionId]), pool)
  assert.ok(pool > 0n)

  /** What an account received in the block of `hash`, its own gas added back (one transaction a block). */
  const received = async (who: `0x${string}`, hash: Hash) => {
    const r = await chain.waitForTransactionReceipt({ hash: hash as Hash })
    const [before, after] = await Promise.all([
      chain.getBalance({ address: who, blockNumber: r.blockNumber - 1n }),
      chain.getBalance({ address: who, blockNumber: r.blockNumber }),
    ])
    return (
      after - before + (r.from.toLowerCase() === who.toLowerCase() ? r.gasUsed * r.effectiveGasPrice : 0n)
    )
  }

  // Owners (the seller and the buyer among them) claim through A's API: each gets its exact part.
  let ownersClaimed = 0n
  for (const [name, who] of Object.entries(owners) as [keyof typeof owners, PrivateKeyAccount][]) {
    const expected = ownerAcc[name] / MAG
    assert.ok(expected > 0n, name)
    const claim = await api(a, dirA.path, 'POST', '/api/earnings/claim', {
      account: name,
      kind: 'owner',
      model: 'commons-demo',
    })
    assert.equal(BigInt(claim.amountWei), expected, `${name}'s claim`)
    assert.equal(await received(who.address, claim.txHash), expected, `${name} received`)
    ownersClaimed += expected
  }
  // heidi held nothing when A's first settlement arrived; carol keeps all of it for her 25 shares.
  assert.ok(ownerAcc.heidi / MAG < ownerAcc.carol / MAG)

  // Each node claims its serving revenue through its own API.
  for (const n of ['A', 'B'] as const) {
    const claim = await api(nodes[n].node, nodes[n].dir, 'POST', '/api/earnings/claim', {
      account: 'node',
      kind: 'node',
    })
    assert.equal(BigInt(claim.amountWei), nodeEarned[n], `node ${n}'s claim`)
    assert.equal(await received(nodes[n].node.address, claim.txHash), nodeEarned[n], `node ${n} received`)
    assert.ok(nodeEarned[n] > 0n)
  }

  // The contributors claim on chain, pro rata to their signed contributions.
  const total = [...contributed.values()].reduce((s, x) => s + x, 0n)
  let contributorsClaimed = 0n
  for (const [m, amount] of contributed) {
    const hash = await claimContributorRevenue(as(m), { modelId, versionId })
    const expected = (pool * amount) / total
    assert.equal(await received(m.address, hash), expected)
    contributorsClaimed += expected
  }

  // Every wei is accounted for: what stays in the escrow is the deposits left and the pool's rounding dust
  // (under one wei per contributor); what stays with the shares is the owners' rounding dust.
  const depositsLeft = 2n * DEPOSIT - [...spent.values()].reduce((s, x) => s + x, 0n)
  const poolDust = pool - contributorsClaimed
  assert.ok(poolDust < BigInt(contributed.size))
  assert.equal((await chain.getBalance({ address: escrow })) - escrowBefore, depositsLeft + poolDust)
  const sharesDust = (await chain.getBalance({ address: shares })) - sharesBefore
  assert.equal(sharesDust, ownersPaid - ownersClaimed)
  assert.ok(sharesDust >= 0n && sharesDust <= 4n, `owners' dust ${sharesDust}: under one wei per holder`)
  for (const [name, who] of Object.entries(owners)) {
    assert.equal(
      (await readEarnings(access.reader, who.address, { modelIds: [modelId] })).owners[0]!.claimable,
      0n,
      name,
    )
  }
})
