import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseEther } from 'viem'
import { castVote } from '../../src/chain/actions/cast-vote.ts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { depositToEscrow } from '../../src/chain/actions/escrow-deposit.ts'
import { requestEscrowWithdrawal } from '../../src/chain/actions/escrow-request-withdrawal.ts'
import {
  authorizeEscrowSigner,
  readChannel,
  revokeEscrowSigner,
} from '../../src/chain/actions/escrow-signers.ts'
import { withdrawFromEscrow } from '../../src/chain/actions/escrow-withdraw.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { getRevenueSplit } from '../../src/chain/actions/get-revenue-split.ts'
import { listProposals } from '../../src/chain/actions/list-proposals.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { executeProposal, queueProposal } from '../../src/chain/actions/queue-proposal.ts'
import { readEarnings } from '../../src/chain/actions/read-earnings.ts'
import { redeemVouchers } from '../../src/chain/actions/redeem-vouchers.ts'
import { translateChainError } from '../../src/chain/errors.ts'
import { ModelGovernor, UsageEscrow } from '../../src/chain/generated/artifacts.ts'
import { setRevenueSplitCall } from '../../src/chain/proposal-calls.ts'
import { signVoucher } from '../../src/chain/usage-typed-data.ts'
import { GOVERNANCE_SETTINGS, startDevnet } from './devnet.ts'

const settings = GOVERNANCE_SETTINGS
const eth = parseEther

async function revertsWith(p: Promise<unknown>, errorName: string): Promise<void> {
  await assert.rejects(p, (e: Error & { details?: { errorName?: string } }) => {
    assert.equal(e.name, 'ContractRevertedError')
    assert.equal(e.details?.errorName, errorName, e.message)
    return true
  })
}

async function setup() {
  const net = await startDevnet(7)
  const [alice, bob, carol, node1, node2, cons, mallory] = net.accounts as NonNullable<
    (typeof net.accounts)[0]
  >[]
  const { modelId } = await createModel(net.deployer, {
    name: 'refusals',
    symbol: 'REF',
    cardURI: '',
    owners: [
      { address: alice!.address, shares: 40n },
      { address: bob!.address, shares: 35n },
      { address: carol!.address, shares: 25n },
    ],
    settings,
  })
  const escrow = net.deployment.usageEscrow!
  const domain = { chainId: net.chain.chainId, escrow }
  return { net, alice, bob, carol, node1, node2, cons, mallory, modelId, escrow, domain }
}

test('forged, replayed, double-settled, over-cap and wrong-provider vouchers are refused on chain by name', async () => {
  const s = await setup()
  await using net = s.net
  const { cons, node1, node2, mallory, modelId, domain } = s
  await depositToEscrow(net.as(cons!), eth('1'))
  const v = (amount: string, provider = node1) => ({
    consumer: cons!.address,
    provider: provider!.address,
    modelId,
    versionId: 0n,
    cumulativeAmount: eth(amount),
  })
  // Forged: signed by someone other than the consumer.
  await revertsWith(
    redeemVouchers(net.as(node1!), [await signVoucher(mallory!, domain, v('0.5'))]),
    'VoucherBadSignature',
  )
  // Signed for another escrow (domain separation): also a bad signature here.
  const otherDomain = { ...domain, escrow: mallory!.address }
  await revertsWith(
    redeemVouchers(net.as(node1!), [await signVoucher(cons!, otherDomain, v('0.5'))]),
    'VoucherBadSignature',
  )
  const good = await signVoucher(cons!, domain, v('0.5'))
  // Wrong provider: node2 cannot redeem a voucher naming node1.
  await revertsWith(redeemVouchers(net.as(node2!), [good]), 'VoucherWrongProvider')
  await redeemVouchers(net.as(node1!), [good])
  // Replayed and double-settled: not above what the channel already paid.
  await revertsWith(redeemVouchers(net.as(node1!), [good]), 'VoucherNotIncreasing')
  await revertsWith(
    redeemVouchers(net.as(node1!), [await signVoucher(cons!, domain, v('0.4'))]),
    'VoucherNotIncreasing',
  )
  // The same voucher twice in one batch: the second is a double claim and the whole batch reverts.
  const next = await signVoucher(cons!, domain, v('0.6'))
  await revertsWith(redeemVouchers(net.as(node1!), [next, next]), 'VoucherNotIncreasing')
  // Over cap: the increase (0.6) exceeds what is left of the deposit (0.5).
  await revertsWith(
    redeemVouchers(net.as(node1!), [await signVoucher(cons!, domain, v('1.1'))]),
    'VoucherExceedsDeposit',
  )
  assert.equal((await readEarnings(net.reader, cons!.address)).deposit, eth('0.5'))
  await redeemVouchers(net.as(node1!), [await signVoucher(cons!, domain, v('1'))])
  assert.equal((await readEarnings(net.reader, cons!.address)).deposit, 0n)
  assert.equal((await readEarnings(net.reader, node1!.address)).node, eth('0.1'))
})

test('withdrawal waits a day, during which the provider can still redeem what was signed', async () => {
  const s = await setup()
  await using net = s.net
  const { cons, node1, modelId, domain } = s
  await depositToEscrow(net.as(cons!), eth('2'))
  await revertsWith(withdrawFromEscrow(net.as(cons!)), 'WithdrawalNotRequested')
  await revertsWith(requestEscrowWithdrawal(net.as(cons!), eth('3')), 'WithdrawalAboveDeposit')
  const signed = await signVoucher(cons!, domain, {
    consumer: cons!.address,
    provider: node1!.address,
    modelId,
    versionId: 0n,
    cumulativeAmount: eth('0.5'),
  })
  await requestEscrowWithdrawal(net.as(cons!), eth('2'))
  await revertsWith(withdrawFromEscrow(net.as(cons!)), 'WithdrawalNotReady')
  await net.chain.warp(86_400 - 60)
  await revertsWith(withdrawFromEscrow(net.as(cons!)), 'WithdrawalNotReady')
  await redeemVouchers(net.as(node1!), [signed])
  await net.chain.warp(61)
  const before = await net.chain.balance(cons!.address)
  const r = await net.reader.public.getTransactionReceipt({ hash: await withdrawFromEscrow(net.as(cons!)) })
  // The withdrawal pays what is left (1.5), not the 2 requested: the signed 0.5 went to the provider.
  assert.equal(await net.chain.balance(cons!.address), before + eth('1.5') - r.gasUsed * r.effectiveGasPrice)
  assert.equal((await readEarnings(net.reader, cons!.address)).deposit, 0n)
})

test('a gateway signs for a consumer only while authorised; each signer has its own channel', async () => {
  const s = await setup()
  await using net = s.net
  const { cons, node1, node2, mallory, modelId, domain } = s
  await depositToEscrow(net.as(cons!), eth('1'))
  const v = (amount: string) => ({
    consumer: cons!.address,
    provider: node1!.address,
    modelId,
    versionId: 0n,
    cumulativeAmount: eth(amount),
  })
  // node2 is the consumer's gateway, not authorised yet: its vouchers are forgeries.
  await revertsWith(
    redeemVouchers(net.as(node1!), [await signVoucher(node2!, domain, v('0.1'))]),
    'VoucherBadSignature',
  )
  await revertsWith(revokeEscrowSigner(net.as(cons!), node2!.address), 'SignerNotAuthorized')
  await authorizeEscrowSigner(net.as(cons!), node2!.address)
  await redeemVouchers(net.as(node1!), [await signVoucher(node2!, domain, v('0.1'))])
  // The consumer's own voucher is another channel: its cumulative 0.05 is not below the gateway's 0.1.
  await redeemVouchers(net.as(node1!), [await signVoucher(cons!, domain, v('0.05'))])
  const ch = { consumer: cons!.address, provider: node1!.address, modelId, versionId: 0n }
  assert.equal((await readChannel(net.reader, { ...ch, signer: node2!.address })).redeemed, eth('0.1'))
  assert.equal((await readChannel(net.reader, { ...ch, signer: cons!.address })).redeemed, eth('0.05'))
  assert.equal((await readChannel(net.reader, { ...ch, signer: cons!.address })).deposit, eth('0.85'))
  // Another account cannot authorise signers for this deposit.
  await authorizeEscrowSigner(net.as(mallory!), mallory!.address)
  const forged = { ...v('0.3'), consumer: cons!.address }
  await revertsWith(
    redeemVouchers(net.as(node1!), [await signVoucher(mallory!, domain, forged)]),
    'VoucherBadSignature',
  )
  // Revoked: what it signed stays redeemable for a day, then no longer.
  const late = await signVoucher(node2!, domain, v('0.2'))
  await revokeEscrowSigner(net.as(cons!), node2!.address)
  await net.chain.warp(86_400 - 60)
  await redeemVouchers(net.as(node1!), [late])
  await net.chain.warp(61)
  await revertsWith(
    redeemVouchers(net.as(node1!), [await signVoucher(node2!, domain, v('0.3'))]),
    'VoucherBadSignature',
  )
})

test('the revenue split changes only by a passed constitutional proposal', async () => {
  const s = await setup()
  await using net = s.net
  const { alice, bob, modelId, escrow } = s
  const model = await getModel(net.reader, modelId)
  const split = { node: 2000, owners: 6000, contributors: 1500, treasury: 500 }
  // No admin: a shareholder calling directly is refused; a split not summing to 10000 is refused.
  await revertsWith(
    (async () => {
      const { request } = await net.reader.public.simulateContract({
        account: alice!,
        address: escrow,
        abi: UsageEscrow.abi,
        functionName: 'setRevenueSplit',
        args: [modelId, split],
      })
      return net.as(alice!).wallet.writeContract(request)
    })().catch((e) => {
      throw translateChainError(e, 'Setting the split directly')
    }),
    'RevenueSplitUnauthorized',
  )
  const call = setRevenueSplitCall(escrow, modelId, split)
  const isConstitutional = await net.reader.public.readContract({
    address: model.governor,
    abi: ModelGovernor.abi,
    functionName: 'isConstitutional',
    args: [[call.target], [call.value], [call.data]],
  })
  assert.equal(isConstitutional, true, 'changing the split moves money between owners and others')
  // Alice alone (40%) meets the routine quorum but not the constitutional majority of all shares.
  await propose(net.as(alice!), { governor: model.governor, calls: [call], description: 'split A' })
  await net.chain.warp(settings.votingDelay + 1)
  let [p] = await listProposals(net.reader, model)
  await castVote(net.as(alice!), { governor: model.governor, proposalId: p!.id, support: 'for' })
  await net.chain.warp(settings.votingPeriod + 1)
  ;[p] = await listProposals(net.reader, model)
  assert.equal(p!.state, 'defeated')
  // With bob (75% in all) it passes; after the timelock the split is the new one.
  await propose(net.as(alice!), { governor: model.governor, calls: [call], description: 'split B' })
  await net.chain.warp(settings.votingDelay + 1)
  let q = (await listProposals(net.reader, model)).find((x) => x.description === 'split B')
  await castVote(net.as(alice!), { governor: model.governor, proposalId: q!.id, support: 'for' })
  await castVote(net.as(bob!), { governor: model.governor, proposalId: q!.id, support: 'for' })
  await net.chain.warp(settings.votingPeriod + 1)
  q = (await listProposals(net.reader, model)).find((x) => x.description === 'split B')
  assert.equal(q!.state, 'succeeded')
  await queueProposal(net.as(bob!), q!)
  assert.deepEqual(await getRevenueSplit(net.reader, modelId), {
    node: 1000,
    owners: 7000,
    contributors: 1500,
    treasury: 500,
  })
  await net.chain.warp(Number(settings.timelockDelay) + 1)
  await executeProposal(net.as(bob!), q!)
  assert.deepEqual(await getRevenueSplit(net.reader, modelId), split)
})

test('a batch mixing models pays each model its owners and treasury parts', async () => {
  const s = await setup()
  await using net = s.net
  const { alice, bob, cons, node1, modelId, domain } = s
  const other = await createModel(net.deployer, {
    name: 'other',
    symbol: 'OTH',
    cardURI: '',
    owners: [{ address: bob!.address, shares: 10n }],
    settings,
  })
  await depositToEscrow(net.as(cons!), eth('10'))
  const v = (m: bigint, amount: string) =>
    signVoucher(cons!, domain, {
      consumer: cons!.address,
      provider: node1!.address,
      modelId: m,
      versionId: 0n,
      cumulativeAmount: eth(amount),
    })
  // Model 1, then model 2, then model 1 again on another version's channel.
  const third = await signVoucher(cons!, domain, {
    consumer: cons!.address,
    provider: node1!.address,
    modelId,
    versionId: 5n,
    cumulativeAmount: eth('3'),
  })
  await redeemVouchers(net.as(node1!), [await v(modelId, '1'), await v(other.modelId, '2'), third])
  // No training job linked: owners 85%, node 10%, treasury 5%.
  const m1 = await getModel(net.reader, modelId)
  const m2 = await getModel(net.reader, other.modelId)
  const e = await readEarnings(net.reader, alice!.address, { modelIds: [modelId] })
  assert.equal(e.owners[0]!.claimable, (eth('4') * 85n * 40n) / 10_000n)
  const b = await readEarnings(net.reader, bob!.address, { modelIds: [modelId, other.modelId] })
  assert.deepEqual(
    b.owners.map((o) => o.claimable),
    [(eth('4') * 85n * 35n) / 10_000n, eth('1.7')],
  )
  assert.equal(await net.chain.balance(m1.timelock), eth('0.2'))
  assert.equal(await net.chain.balance(m2.timelock), eth('0.1'))
  assert.equal((await readEarnings(net.reader, node1!.address)).node, eth('0.6'))
})
