import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { signReceipt, signVoucher, verifyReceipt, verifyVoucher } from '../../src/chain/usage-typed-data.ts'

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
