import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bytesToHex, hashTypedData } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { receiptDigestBytes, voucherDigestBytes } from '../../src/chain/usage-digest.ts'
import {
  receiptTypes,
  signReceipt,
  signReceiptWithKey,
  signVoucher,
  signVoucherWithKey,
  usageDomain,
  verifyReceipt,
  verifyVoucher,
  voucherTypes,
} from '../../src/chain/usage-typed-data.ts'

const consumer = privateKeyToAccount(generatePrivateKey())
const provider = privateKeyToAccount(generatePrivateKey())
const domain = { chainId: 31337, escrow: '0x00000000000000000000000000000000000000e5' as const }

test('a voucher verifies for its consumer only, and not once altered or moved to another escrow', async () => {
  const voucher = {
    consumer: consumer.address,
    provider: provider.address,
    modelId: 1n,
    versionId: 2n,
    cumulativeAmount: 10n,
  }
  const sv = await signVoucher(consumer, domain, voucher)
  assert.equal(await verifyVoucher(domain, sv), true)
  assert.equal(await verifyVoucher(domain, { ...sv, voucher: { ...voucher, cumulativeAmount: 11n } }), false)
  assert.equal(await verifyVoucher({ ...domain, escrow: provider.address }, sv), false)
  assert.equal(await verifyVoucher(domain, await signVoucher(provider, domain, voucher)), false)
  assert.equal(await verifyVoucher(domain, { ...sv, signature: '0x1234' }), false)
})

test('a receipt verifies for its provider only, and not once altered', async () => {
  const receipt = {
    consumer: consumer.address,
    provider: provider.address,
    modelId: 1n,
    versionId: 2n,
    requestId: `0x${'ab'.repeat(32)}` as const,
    promptTokens: 12n,
    completionTokens: 30n,
    priceWei: 42n,
  }
  const sr = await signReceipt(provider, domain, receipt)
  assert.equal(await verifyReceipt(domain, sr), true)
  assert.equal(await verifyReceipt(domain, { ...sr, receipt: { ...receipt, completionTokens: 31n } }), false)
  assert.equal(await verifyReceipt(domain, await signReceipt(consumer, domain, receipt)), false)
})

test('the hand-encoded digests equal viem hashTypedData, and raw-key and account signatures agree', async () => {
  const key = generatePrivateKey()
  const account = privateKeyToAccount(key)
  const voucher = {
    consumer: account.address,
    provider: provider.address,
    modelId: 7n,
    versionId: 0n,
    cumulativeAmount: 2n ** 200n,
  }
  const typed = {
    domain: usageDomain(domain.chainId, domain.escrow),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: voucher,
  } as const
  assert.equal(bytesToHex(voucherDigestBytes(domain, voucher)), hashTypedData(typed))
  const receipt = {
    consumer: account.address,
    provider: provider.address,
    modelId: 7n,
    versionId: 3n,
    requestId: `0x${'cd'.repeat(32)}` as const,
    promptTokens: 1n,
    completionTokens: 2n,
    priceWei: 3n,
  }
  assert.equal(
    bytesToHex(receiptDigestBytes(domain, receipt)),
    hashTypedData({ domain: typed.domain, types: receiptTypes, primaryType: 'Receipt', message: receipt }),
  )
  const fast = signVoucherWithKey(key, domain, voucher)
  assert.equal(fast.signature, (await signVoucher(account, domain, voucher)).signature)
  assert.equal(fast.signature, await account.signTypedData(typed))
  assert.equal(verifyVoucher(domain, fast), true)
  assert.equal(
    verifyReceipt(domain, signReceiptWithKey(key, domain, { ...receipt, provider: account.address })),
    true,
  )
})
