import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeErrorResult, encodeDeployData, getAddress, parseUnits, zeroAddress } from 'viem'
import { checkPaymentToken } from '../../src/chain/actions/check-payment-token.ts'
import { claimContributorRevenue } from '../../src/chain/actions/claim-contributor-revenue.ts'
import { claimNodeRevenue } from '../../src/chain/actions/claim-node-revenue.ts'
import { claimOwnerRevenue } from '../../src/chain/actions/claim-owner-revenue.ts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { depositToEscrow } from '../../src/chain/actions/escrow-deposit.ts'
import { requestEscrowWithdrawal } from '../../src/chain/actions/escrow-request-withdrawal.ts'
import { withdrawFromEscrow } from '../../src/chain/actions/escrow-withdraw.ts'
import { writeEscrow } from '../../src/chain/actions/escrow-write.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { linkTrainingJob } from '../../src/chain/actions/link-training-job.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { readEarnings } from '../../src/chain/actions/read-earnings.ts'
import { readPaymentCurrency } from '../../src/chain/actions/read-payment-currency.ts'
import { redeemVouchers } from '../../src/chain/actions/redeem-vouchers.ts'
import { ModelShares, TestStablecoin, UsageEscrow } from '../../src/chain/generated/artifacts.ts'
import { signVoucher } from '../../src/chain/usage-typed-data.ts'
import { type Devnet, mintStablecoin, stablecoinBalance, startDevnet } from './devnet.ts'
import { type Account, hash, revertsWith, settings, trainedVersion } from './training-fixtures.ts'

/** Amounts of the 6-decimals test stablecoin. */
const usd = (x: string) => parseUnits(x, 6)

async function write(
  net: Devnet,
  a: Account,
  address: `0x${string}`,
  abi: unknown,
  fn: string,
  args: unknown[],
) {
  const hash = await net.as(a).wallet.writeContract({ address, abi, functionName: fn, args } as never)
  await net.reader.public.waitForTransactionReceipt({ hash })
}

/** A model (owners 40/35/25) with v1 trained by erin 3 : frank 1 (job linked) and v2 untrained. */
async function paidModel(net: Devnet, owners: Account[], [erin, frank, dave]: Account[]) {
  const [alice, bob, carol] = owners as [Account, Account, Account]
  const { modelId } = await createModel(net.deployer, {
    name: 'token-model',
    symbol: 'TOK',
    cardURI: '',
    owners: [
      { address: alice.address, shares: 40n },
      { address: bob.address, shares: 35n },
      { address: carol.address, shares: 25n },
    ],
    settings,
  })
  const model = await getModel(net.reader, modelId)
  const version = (root: string) =>
    proposeVersion(net.as(alice), { modelId, contentRoot: hash(root), format: 'gguf', size: 1n, cardURI: '' })
  const v1 = await version('01')
  const v2 = await version('02')
  const { jobId } = await trainedVersion(net, model, v1, hash('01'), [alice, erin!, frank!])
  await linkTrainingJob(net.as(dave!), { modelId, versionId: v1, jobId })
  return { modelId, model, v1, v2 }
}

test('a stablecoin deployment: deposits, batched vouchers, the split and every claim in tokens to the unit; refusals by name', async () => {
  await using net = await startDevnet(10, { stablecoin: true })
  const [alice, bob, carol, dave, erin, frank, node1, node2, cons1, cons2] = net.accounts as Account[]
  const token = net.stablecoin!
  assert.equal(net.deployment.paymentToken, token, 'the deployment records its payment token')
  assert.deepEqual(await readPaymentCurrency(net.reader), {
    token: getAddress(token),
    symbol: 'TUSD',
    decimals: 6,
  })
  const escrow = net.deployment.usageEscrow!
  const domain = { chainId: net.chain.chainId, escrow }
  const { modelId, model, v1, v2 } = await paidModel(net, [alice!, bob!, carol!], [erin!, frank!, dave!])

  for (const c of [cons1!, cons2!]) {
    await mintStablecoin(net, c.address, usd('10'))
    await depositToEscrow(net.as(c), usd('10')) // approve, then depositToken
  }
  assert.equal(await stablecoinBalance(net, escrow), usd('20'))
  const voucher = (consumer: Account, provider: Account, versionId: bigint, amount: string) =>
    signVoucher(consumer, domain, {
      consumer: consumer.address,
      provider: provider.address,
      modelId,
      versionId,
      cumulativeAmount: usd(amount),
    })

  // Epoch 1 (holders alice 40, bob 35, carol 25), then alice sells half to dave, then epoch 2 in one batch.
  await redeemVouchers(net.as(node1!), [await voucher(cons1!, node1!, v1, '1')])
  await redeemVouchers(net.as(node2!), [await voucher(cons2!, node2!, v1, '2')])
  await write(net, alice!, model.shares, ModelShares.abi, 'transfer', [dave!.address, 20n])
  const epoch2 = [await voucher(cons1!, node1!, v1, '1.5'), await voucher(cons2!, node1!, v2, '1')]
  await redeemVouchers(net.as(node1!), epoch2)

  // Refusals: a replayed batch, a voucher above the deposit, native value on a token escrow or shares.
  await revertsWith(redeemVouchers(net.as(node1!), epoch2), 'VoucherNotIncreasing')
  await revertsWith(
    redeemVouchers(net.as(node2!), [await voucher(cons2!, node2!, v1, '10')]),
    'VoucherExceedsDeposit',
  )
  await revertsWith(
    writeEscrow(net.as(cons1!), 'native deposit', 'deposit', [], 1n),
    'NativeValueOnTokenCurrency',
  )
  await assert.rejects(
    net.reader.public.simulateContract({
      account: cons1!,
      address: model.shares,
      abi: ModelShares.abi,
      functionName: 'distributeRevenue',
      value: 1n,
    }),
    /NativeValueOnTokenCurrency/,
  )
  // A fee-on-transfer token would credit more than the escrow received: refused by the balance check.
  await write(net, cons1!, token, TestStablecoin.abi, 'setTransferFee', [100])
  await mintStablecoin(net, cons1!.address, usd('1'))
  await revertsWith(depositToEscrow(net.as(cons1!), usd('1')), 'TokenTransferShortfall')
  await write(net, cons1!, token, TestStablecoin.abi, 'setTransferFee', [0])

  // Same figures as the native test, in 6-decimals units: owners pro rata at arrival, v2's contributor part
  // to the owners, node 10 %, contributors 15 % (3:1), treasury 5 %.
  const expected: [Account, () => Promise<unknown>, bigint][] = [
    [alice!, () => claimOwnerRevenue(net.as(alice!), modelId), usd('1.08')],
    [bob!, () => claimOwnerRevenue(net.as(bob!), modelId), usd('1.155')],
    [carol!, () => claimOwnerRevenue(net.as(carol!), modelId), usd('0.825')],
    [dave!, () => claimOwnerRevenue(net.as(dave!), modelId), usd('0.24')],
    [node1!, () => claimNodeRevenue(net.as(node1!)), usd('0.25')],
    [node2!, () => claimNodeRevenue(net.as(node2!)), usd('0.2')],
    [erin!, () => claimContributorRevenue(net.as(erin!), { modelId, versionId: v1 }), usd('0.39375')],
    [frank!, () => claimContributorRevenue(net.as(frank!), { modelId, versionId: v1 }), usd('0.13125')],
  ]
  assert.equal(await stablecoinBalance(net, model.timelock), usd('0.225'))
  assert.equal((await readEarnings(net.reader, cons1!.address)).deposit, usd('8.5'))
  assert.equal((await readEarnings(net.reader, cons2!.address)).deposit, usd('7'))
  for (const [a, claim, amount] of expected) {
    const before = await stablecoinBalance(net, a.address)
    await claim()
    await claim() // nothing left to claim twice
    assert.equal(await stablecoinBalance(net, a.address), before + amount, a.address)
  }
  // Every unit is accounted for: the escrow holds the unspent deposits, the shares contract nothing.
  assert.equal(await stablecoinBalance(net, escrow), usd('15.5'))
  assert.equal(await stablecoinBalance(net, model.shares), 0n)
  assert.equal(await net.chain.balance(escrow), 0n)
  // A withdrawal pays tokens back after the delay.
  await requestEscrowWithdrawal(net.as(cons2!), usd('1'))
  await net.chain.warp(86_401)
  const held = await stablecoinBalance(net, cons2!.address)
  await withdrawFromEscrow(net.as(cons2!))
  assert.equal(await stablecoinBalance(net, cons2!.address), held + usd('1'))
  assert.equal(await stablecoinBalance(net, escrow), usd('14.5'))

  // An escrow whose currency differs from the shares' is refused at construction.
  const data = encodeDeployData({
    abi: UsageEscrow.abi,
    bytecode: UsageEscrow.bytecode,
    args: [net.deployment.modelRegistry, net.deployment.trainingLedger!, zeroAddress],
  })
  const raw = await net.reader.public.call({ data }).then(
    () => assert.fail('a mismatched escrow deployed'),
    (e: { walk(): { data?: `0x${string}` } }) => e.walk().data,
  )
  assert.equal(decodeErrorResult({ abi: UsageEscrow.abi, data: raw! }).errorName, 'CurrencyMismatch')
  // A payment token must be a contract answering decimals().
  for (const notToken of [alice!.address, net.deployment.modelRegistry])
    await assert.rejects(checkPaymentToken(net.reader.public, notToken), { name: 'PaymentTokenInvalidError' })
})

test('a native deployment refuses token deposits and token revenue by name', async () => {
  await using net = await startDevnet(2)
  const [alice, cons] = net.accounts as Account[]
  assert.equal((await readPaymentCurrency(net.reader)).token, undefined)
  await revertsWith(
    writeEscrow(net.as(cons!), 'token deposit', 'depositToken', [1n]),
    'TokenPaymentOnNativeCurrency',
  )
  const { modelId } = await createModel(net.deployer, {
    name: 'native-model',
    symbol: 'NAT',
    cardURI: '',
    owners: [{ address: alice!.address, shares: 1n }],
    settings,
  })
  const { shares } = await getModel(net.reader, modelId)
  await assert.rejects(
    net.reader.public.simulateContract({
      account: cons!,
      address: shares,
      abi: ModelShares.abi,
      functionName: 'distributeTokenRevenue',
      args: [1n],
    }),
    /TokenPaymentOnNativeCurrency/,
  )
})
