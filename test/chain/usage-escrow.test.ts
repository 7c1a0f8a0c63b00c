import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Hash, parseEther } from 'viem'
import { claimContributorRevenue } from '../../src/chain/actions/claim-contributor-revenue.ts'
import { claimNodeRevenue } from '../../src/chain/actions/claim-node-revenue.ts'
import { claimOwnerRevenue } from '../../src/chain/actions/claim-owner-revenue.ts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { depositToEscrow } from '../../src/chain/actions/escrow-deposit.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { getRevenueSplit } from '../../src/chain/actions/get-revenue-split.ts'
import { linkTrainingJob } from '../../src/chain/actions/link-training-job.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { readEarnings } from '../../src/chain/actions/read-earnings.ts'
import { redeemVouchers } from '../../src/chain/actions/redeem-vouchers.ts'
import { ModelShares } from '../../src/chain/generated/artifacts.ts'
import { signVoucher } from '../../src/chain/usage-typed-data.ts'
import { GOVERNANCE_SETTINGS, startDevnet } from './devnet.ts'
import { trainedVersion } from './training-fixtures.ts'

const hash = (byte: string) => `0x${byte.repeat(32)}` as const
const settings = GOVERNANCE_SETTINGS
const eth = parseEther

test('paid usage reaches owners (pro rata at arrival, mid-epoch sale), nodes, contributors and treasury to the wei', async () => {
  await using net = await startDevnet(10)
  const [alice, bob, carol, dave, erin, frank, node1, node2, cons1, cons2] = net.accounts as [
    ...(typeof net.accounts)[0][],
  ] as NonNullable<(typeof net.accounts)[0]>[]
  const escrow = net.deployment.usageEscrow
  assert.ok(escrow, 'deployContracts deploys the UsageEscrow')
  const domain = { chainId: net.chain.chainId, escrow }
  // Shares 40/35/25 units (supply 100) so every owner figure below is an exact integer.
  const { modelId } = await createModel(net.deployer, {
    name: 'paid-model',
    symbol: 'PAID',
    cardURI: '',
    owners: [
      { address: alice!.address, shares: 40n },
      { address: bob!.address, shares: 35n },
      { address: carol!.address, shares: 25n },
    ],
    settings,
  })
  const model = await getModel(net.reader, modelId)
  const _contracts = {
    registry: net.deployment.modelRegistry,
    shares: model.shares,
    timelock: model.timelock,
  }
  assert.deepEqual(await getRevenueSplit(net.reader, modelId), {
    node: 1000,
    owners: 7000,
    contributors: 1500,
    treasury: 500,
  })

  // A real training job produced v1 (erin 3 : frank 1); v2 has no training job.
  const v1 = await proposeVersion(net.as(alice!), {
    modelId,
    contentRoot: hash('01'),
    format: 'gguf',
    size: 1n,
    cardURI: '',
  })
  const v2 = await proposeVersion(net.as(alice!), {
    modelId,
    contentRoot: hash('02'),
    format: 'gguf',
    size: 1n,
    cardURI: '',
  })
  const { jobId } = await trainedVersion(net, model, v1, hash('01'), [alice!, erin!, frank!])
  await assert.rejects(
    linkTrainingJob(net.as(dave!), { modelId, versionId: v2, jobId }),
    /TrainingJobMismatch/,
  )
  await linkTrainingJob(net.as(dave!), { modelId, versionId: v1, jobId })

  await depositToEscrow(net.as(cons1!), eth('10'))
  await depositToEscrow(net.as(cons2!), eth('10'))
  const voucher = (consumer: typeof cons1, provider: typeof node1, versionId: bigint, amount: string) =>
    signVoucher(consumer!, domain, {
      consumer: consumer!.address,
      provider: provider!.address,
      modelId,
      versionId,
      cumulativeAmount: eth(amount),
    })

  // Epoch 1: holders alice 40, bob 35, carol 25.
  await redeemVouchers(net.as(node1!), [await voucher(cons1, node1, v1, '1')])
  await redeemVouchers(net.as(node2!), [await voucher(cons2, node2, v1, '2')])
  // Alice sells half to dave mid-epoch.
  const tx = await net.as(alice!).wallet.writeContract({
    address: model.shares,
    abi: ModelShares.abi,
    functionName: 'transfer',
    args: [dave!.address, 20n],
  })
  await net.reader.public.waitForTransactionReceipt({ hash: tx })
  // Epoch 2: one transaction settles two channels (the newest cumulative voucher of each).
  await redeemVouchers(net.as(node1!), [
    await voucher(cons1, node1, v1, '1.5'),
    await voucher(cons2, node1, v2, '1'),
  ])

  // Expected: epoch 1 owners 2.1 (0.7 + 1.4); epoch 2 owners 0.35 + 0.85 (v2's contributor part goes to owners).
  const expectedOwners = { alice: eth('1.08'), bob: eth('1.155'), carol: eth('0.825'), dave: eth('0.24') }
  const who = { alice, bob, carol, dave }
  for (const [name, amount] of Object.entries(expectedOwners)) {
    const e = await readEarnings(net.reader, who[name as keyof typeof who]!.address, { modelIds: [modelId] })
    assert.equal(e.owners[0]!.claimable, amount, `${name}'s owner revenue`)
  }
  const earnings = async (a: typeof alice) =>
    readEarnings(net.reader, a!.address, {
      versions: [
        { modelId, versionId: v1 },
        { modelId, versionId: v2 },
      ],
    })
  assert.equal((await earnings(node1)).node, eth('0.25'))
  assert.equal((await earnings(node2)).node, eth('0.2'))
  assert.deepEqual(
    (await earnings(erin)).contributors.map((c) => c.claimable),
    [eth('0.39375'), 0n],
  )
  assert.deepEqual(
    (await earnings(frank)).contributors.map((c) => c.claimable),
    [eth('0.13125'), 0n],
  )
  assert.equal(await net.chain.balance(model.timelock), eth('0.225'))
  assert.equal((await earnings(cons1)).deposit, eth('8.5'))
  assert.equal((await earnings(cons2)).deposit, eth('7'))

  // Claims pay exactly the figures (balance change = amount - gas fee) and leave nothing to claim twice.
  const claimed = async (a: typeof alice, claim: () => Promise<Hash>, amount: bigint) => {
    const before = await net.chain.balance(a!.address)
    const r = await net.reader.public.getTransactionReceipt({ hash: await claim() })
    assert.equal(await net.chain.balance(a!.address), before + amount - r.gasUsed * r.effectiveGasPrice)
  }
  for (const [name, amount] of Object.entries(expectedOwners)) {
    const a = who[name as keyof typeof who]
    await claimed(a, () => claimOwnerRevenue(net.as(a!), modelId), amount)
    await claimed(a, () => claimOwnerRevenue(net.as(a!), modelId), 0n)
  }
  await claimed(node1, () => claimNodeRevenue(net.as(node1!)), eth('0.25'))
  await claimed(node2, () => claimNodeRevenue(net.as(node2!)), eth('0.2'))
  await claimed(node2, () => claimNodeRevenue(net.as(node2!)), 0n)
  await claimed(
    erin,
    () => claimContributorRevenue(net.as(erin!), { modelId, versionId: v1 }),
    eth('0.39375'),
  )
  await claimed(
    frank,
    () => claimContributorRevenue(net.as(frank!), { modelId, versionId: v1 }),
    eth('0.13125'),
  )
  await claimed(frank, () => claimContributorRevenue(net.as(frank!), { modelId, versionId: v1 }), 0n)
  // Every wei is accounted for: the escrow holds exactly the unspent deposits, the shares contract nothing.
  assert.equal(await net.chain.balance(escrow), eth('15.5'))
  assert.equal(await net.chain.balance(model.shares), 0n)
})
