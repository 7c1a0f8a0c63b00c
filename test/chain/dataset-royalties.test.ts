import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Hash, parseEther } from 'viem'
import { claimContributorRevenue } from '../../src/chain/actions/claim-contributor-revenue.ts'
import { claimDatasetRevenue } from '../../src/chain/actions/claim-dataset-revenue.ts'
import { grantDatasetLicence } from '../../src/chain/actions/dataset-grant-licence.ts'
import { registerDataset } from '../../src/chain/actions/dataset-register.ts'
import { withdrawDataset } from '../../src/chain/actions/dataset-withdraw.ts'
import { depositToEscrow } from '../../src/chain/actions/escrow-deposit.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { linkTrainingJob } from '../../src/chain/actions/link-training-job.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { redeemVouchers } from '../../src/chain/actions/redeem-vouchers.ts'
import { commitTrainingRound } from '../../src/chain/actions/training-commit-round.ts'
import { createTrainingJob } from '../../src/chain/actions/training-create-job.ts'
import { finishTrainingJob } from '../../src/chain/actions/training-finish-job.ts'
import { joinTrainingJob } from '../../src/chain/actions/training-join-job.ts'
import { recordTrainingProposal } from '../../src/chain/actions/training-record-proposal.ts'
import { UsageEscrow } from '../../src/chain/generated/artifacts.ts'
import { publishVersionCall } from '../../src/chain/proposal-calls.ts'
import { purposeId } from '../../src/chain/purpose-id.ts'
import { signVoucher } from '../../src/chain/usage-typed-data.ts'
import { createDataCommons } from '../../src/data/index.ts'
import { type Account, hash, jobInput, revertsWith, setup, signed } from './training-fixtures.ts'

const RESEARCH = purposeId('research')

test('royalties follow data: a version trained on two datasets pays their owners to the wei by recorded contribution; the ledger takes only signed, usable datasets', async () => {
  const { net, accounts, modelId } = await setup(6)
  await using _net = net
  const [alice, , erin, frank, node, consumer] = accounts as Account[] as [
    Account,
    Account,
    Account,
    Account,
    Account,
    Account,
  ]
  const register = (owner: Account, byte: string) =>
    registerDataset(net.as(owner), {
      manifestRoot: hash(byte),
      licence: 'CC-BY-4.0',
      consentUri: 'https://example.org/consent',
      consentHash: hash('cc'),
      purposes: [RESEARCH],
    })
  await revertsWith(
    registerDataset(net.as(erin), {
      manifestRoot: hash('d1'),
      licence: 'CC-BY-4.0',
      consentUri: '',
      consentHash: hash('cc'),
      purposes: [],
    }),
    'DatasetInvalid',
  )
  const d1 = await register(erin, 'd1') // erin's; frank gets a licence
  const d2 = await register(frank, 'd2') // frank's
  await revertsWith(
    grantDatasetLicence(net.as(frank), { datasetId: d1, licensee: frank.address }),
    'DatasetNotOwner',
  )
  await grantDatasetLicence(net.as(erin), { datasetId: d1, licensee: frank.address })

  const v1 = await proposeVersion(net.as(alice), {
    modelId,
    contentRoot: hash('01'),
    format: 'gguf',
    size: 1n,
    cardURI: '',
  })
  const jobId = await createTrainingJob(net.as(alice), jobInput(modelId, [erin, frank], erin))
  for (const m of [erin, frank]) await joinTrainingJob(net.as(m), { jobId })

  const from1 = { jobId, round: 1, trainedFrom: hash('0b') }
  const round1 = {
    ...from1,
    modelHash: hash('a1'),
    inputsCommitment: hash('b1'),
    contributions: await signed(net, from1, [
      [erin, 300n, { ids: [d1], amounts: [300n] }],
      [frank, 200n, { ids: [d1, d2], amounts: [50n, 150n] }],
    ]),
  }
  // The coordinator cannot move a member's contribution to another dataset: the member signed the split.
  const moved = round1.contributions.map((x) =>
    x.address === frank.address ? { ...x, datasets: { ids: [d1, d2], amounts: [150n, 50n] } } : x,
  )
  await revertsWith(
    commitTrainingRound(net.as(erin), { ...round1, contributions: moved }),
    'TrainingBadContributionSignature',
  )
  // Parts must sum to the signed amount, and a member may name only datasets it owns or is licensed to.
  await revertsWith(
    commitTrainingRound(net.as(erin), {
      ...round1,
      contributions: await signed(net, from1, [
        [erin, 300n, { ids: [d1], amounts: [299n] }],
        [frank, 200n],
      ]),
    }),
    'TrainingInvalidDatasets',
  )
  await revertsWith(
    commitTrainingRound(net.as(erin), {
      ...round1,
      contributions: await signed(net, from1, [
        [erin, 300n, { ids: [d2], amounts: [300n] }],
        [frank, 200n],
      ]),
    }),
    'TrainingDatasetNotUsable',
  )
  await commitTrainingRound(net.as(erin), round1)
  const from2 = { jobId, round: 2, trainedFrom: hash('a1') }
  await commitTrainingRound(net.as(erin), {
    ...from2,
    modelHash: hash('a2'),
    inputsCommitment: hash('b2'),
    contributions: await signed(net, from2, [
      [erin, 100n, { ids: [d1], amounts: [100n] }],
      [frank, 401n, { ids: [d2], amounts: [401n] }],
    ]),
  })
  await finishTrainingJob(net.as(erin), { jobId, resultRoot: hash('01') })
  const model = await getModel(net.reader, modelId)
  const contracts = { registry: net.deployment.modelRegistry, shares: model.shares, timelock: model.timelock }
  const publishId = await propose(net.as(alice), {
    governor: model.governor,
    calls: [publishVersionCall(contracts, modelId, v1)],
    description: 'Publish v1',
  })
  await recordTrainingProposal(net.as(erin), { jobId, versionId: v1, proposalId: publishId })
  await linkTrainingJob(net.as(node), { modelId, versionId: v1, jobId })

  // 1 ETH of paid usage: the contributors' 15 % is the pool.
  await depositToEscrow(net.as(consumer), parseEther('2'))
  const domain = { chainId: net.chain.chainId, escrow: net.deployment.usageEscrow! }
  await redeemVouchers(net.as(node), [
    await signVoucher(consumer, domain, {
      consumer: consumer.address,
      provider: node.address,
      modelId,
      versionId: v1,
      cumulativeAmount: parseEther('1'),
    }),
  ])
  const escrow = { address: net.deployment.usageEscrow!, abi: UsageEscrow.abi } as const
  const pool = await net.reader.public.readContract({
    ...escrow,
    functionName: 'contributorPoolOf',
    args: [modelId, v1],
  })
  assert.equal(pool, parseEther('0.15'))
  // Recorded: erin 300 + 100 on d1; frank 50 on d1, 150 + 401 on d2; total 1001.
  const share = (amount: bigint) => (pool * amount) / 1001n
  const claimed = async (owner: Account, claim: () => Promise<Hash>, amount: bigint, payer = owner) => {
    const before = await net.chain.balance(owner.address)
    const r = await net.reader.public.getTransactionReceipt({ hash: await claim() })
    const fee = payer === owner ? r.gasUsed * r.effectiveGasPrice : 0n
    assert.equal(await net.chain.balance(owner.address), before + amount - fee)
  }
  // Anyone may send the claim; the escrow pays the dataset's owner.
  const claim = (member: Account, datasetId: bigint, by: Account) => () =>
    claimDatasetRevenue(net.as(by), { modelId, versionId: v1, member: member.address, datasetId })
  await claimed(erin, claim(erin, d1, node), share(400n), node)
  await claimed(erin, claim(frank, d1, node), share(50n), node)
  await claimed(frank, claim(frank, d2, frank), share(551n))
  await claimed(frank, claim(frank, d2, frank), 0n)
  await claimed(erin, claim(erin, d2, erin), 0n)
  // Their dataset-attributed parts are not paid twice through the member claim.
  await claimed(erin, () => claimContributorRevenue(net.as(erin), { modelId, versionId: v1 }), 0n)
  await claimed(frank, () => claimContributorRevenue(net.as(frank), { modelId, versionId: v1 }), 0n)
  assert.equal(share(400n), 59_940_059_940_059_940n, 'erin: 0.15 ETH × 400 / 1001, floored')
  assert.ok(
    pool - share(400n) - share(50n) - share(551n) < 3n,
    'at most one wei of dust per (member, dataset)',
  )

  // Lineage of v1, then the withdrawal of d2: the version is marked and the remedy offered.
  const data = createDataCommons({}, { chain: net.as(frank) })
  const before = await data.lineage({ model: modelId.toString(), version: v1.toString() })
  assert.deepEqual(
    before.datasets.map((d) => d.id),
    [d1.toString(), d2.toString()],
  )
  assert.deepEqual(before.members, [erin.address, frank.address].sort())
  assert.deepEqual(
    before.rounds.map((r) => r.round),
    [1, 2],
  )
  assert.equal(before.marked, false)
  await revertsWith(withdrawDataset(net.as(erin), { datasetId: d2 }), 'DatasetNotOwner')
  const { dataset, remedy } = await data.withdraw(d2.toString())
  assert.equal(dataset.withdrawn, true)
  const after = await data.lineage({ model: modelId.toString(), version: v1.toString() })
  assert.deepEqual(after.withdrawnDatasets, [d2.toString()])
  assert.equal(after.marked, true)
  const offered = remedy.models.find((m) => m.modelId === modelId.toString())
  assert.deepEqual(offered?.markedVersions, [v1.toString()])
  assert.equal(offered?.lastCleanVersion, undefined, 'no published version without d2: retrain from the base')
  assert.deepEqual(offered?.retrain.specChanges['data.datasets'], [d1.toString()])
  assert.match(offered!.revoke[0]!.command, /commons propose revoke-version --model \d+ --version 1/)
  assert.equal(offered!.revoke[0]!.call.target, net.deployment.modelRegistry)
  // No later round may use the withdrawn dataset, whoever signs it.
  await revertsWith(withdrawDataset(net.as(frank), { datasetId: d2 }), 'DatasetAlreadyWithdrawn')
  const job2 = await createTrainingJob(net.as(alice), jobInput(modelId, [erin, frank], erin))
  for (const m of [erin, frank]) await joinTrainingJob(net.as(m), { jobId: job2 })
  const next = { jobId: job2, round: 1, trainedFrom: hash('0b') }
  await revertsWith(
    commitTrainingRound(net.as(erin), {
      ...next,
      modelHash: hash('c1'),
      inputsCommitment: hash('c2'),
      contributions: await signed(net, next, [
        [erin, 1n, { ids: [d1], amounts: [1n] }],
        [frank, 1n, { ids: [d2], amounts: [1n] }],
      ]),
    }),
    'TrainingDatasetNotUsable',
  )
})
