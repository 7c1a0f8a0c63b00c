import assert from 'node:assert/strict'
import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import type { Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { signReceiptWithKey, signVoucherWithKey, type UsagePolicy } from '../../src/chain/index.ts'
import { silentLogger } from '../../src/log.ts'
import { GatewayMeter } from '../../src/metering/gateway-meter.ts'
import { priceWei } from '../../src/metering/price.ts'
import { ProviderMeter } from '../../src/metering/provider-meter.ts'
import {
  GatewayRecordSchema,
  ProviderRecordSchema,
  type ReceiptWire,
  type VoucherWire,
} from '../../src/metering/records.ts'
import { UsageJournal } from '../../src/metering/usage-journal.ts'
import { UsageStats } from '../../src/metering/usage-stats.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const domain = { chainId: 31337, escrow: privateKeyToAccount(generatePrivateKey()).address }
const policy: UsagePolicy = {
  open: true,
  promptPricePer1k: 1_000_000n,
  completionPricePer1k: 5_000_000n,
  requestsPerMinute: 0,
  termsURI: '',
  termsHash: `0x${'0'.repeat(64)}`,
}
const key = () => {
  const k = generatePrivateKey()
  return { key: k, address: privateKeyToAccount(k).address }
}

async function gatewayIn(dir: string, keys: Map<string, Hex>) {
  const journal = new UsageJournal(join(dir, 'gateway.jsonl'), GatewayRecordSchema)
  const out: { peer: string; voucher: VoucherWire; id: Hex }[] = []
  const stats = new UsageStats()
  const g = new GatewayMeter({
    journal,
    domain,
    keyOf: (a) => keys.get(a.toLowerCase()),
    onVoucher: (peer, voucher, id) => out.push({ peer, voucher, id }),
    stats,
    log: silentLogger,
  })
  g.load(await journal.open())
  return { g, journal, out, stats }
}

function attempt(consumer: `0x${string}`, provider: `0x${string}`) {
  return {
    consumer,
    modelId: '1',
    versionId: '2',
    provider,
    peer: 'peer-p',
    policy,
    promptBytes: 40,
    maxTokens: 10,
    generatedBefore: 0,
  }
}

function receiptBy(
  providerKey: Hex,
  consumer: `0x${string}`,
  provider: `0x${string}`,
  requestId: Hex,
  prompt: number,
  completion: number,
): ReceiptWire {
  const priceWeiValue = priceWei(policy, prompt, completion)
  const signed = signReceiptWithKey(providerKey, domain, {
    consumer,
    provider,
    modelId: 1n,
    versionId: 2n,
    requestId,
    promptTokens: BigInt(prompt),
    completionTokens: BigInt(completion),
    priceWei: priceWeiValue,
  })
  return {
    requestId,
    promptTokens: prompt,
    completionTokens: completion,
    priceWei: priceWeiValue,
    signature: signed.signature,
  }
}

test('the gateway pays what it counted, once per attempt; the prompt claim is bounded by the prompt size', async () => {
  await using dir = await tmpDir()
  const consumer = key()
  const provider = key()
  const { g, out } = await gatewayIn(dir.path, new Map([[consumer.address.toLowerCase(), consumer.key]]))
  const a1 = g.begin(attempt(consumer.address, provider.address), {
    address: consumer.address,
    privateKey: consumer.key,
  })
  a1.end({ completionTokens: 7, promptTokens: 12 })
  a1.end({ completionTokens: 700, promptTokens: 12 }) // a second end (the router's finally) changes nothing
  assert.equal(out.length, 1)
  assert.equal(out[0]!.voucher.cumulativeAmount, priceWei(policy, 12, 7))
  // A provider claiming a huge prompt is cut to what 40 bytes (+ template) can be.
  const a2 = g.begin(attempt(consumer.address, provider.address), {
    address: consumer.address,
    privateKey: consumer.key,
  })
  a2.end({ completionTokens: 1, promptTokens: 1_000_000 })
  assert.equal(out[1]!.voucher.cumulativeAmount, priceWei(policy, 12, 7) + priceWei(policy, 40 + 256, 1))
  // Nothing served: no voucher.
  g.begin(attempt(consumer.address, provider.address), {
    address: consumer.address,
    privateKey: consumer.key,
  }).end({
    completionTokens: 0,
  })
  assert.equal(out.length, 2)
})

test("claims: only the attempt's provider, only pending ids, with its own signature, capped at the attempt's bound, once", async () => {
  await using dir = await tmpDir()
  const consumer = key()
  const provider = key()
  const mallory = key()
  const { g } = await gatewayIn(dir.path, new Map([[consumer.address.toLowerCase(), consumer.key]]))
  const signer = { address: consumer.address, privateKey: consumer.key }
  const a = g.begin(attempt(consumer.address, provider.address), signer)
  // The gateway "crashed": the attempt never ended. Mallory claims it, then claims it with P's receipt.
  const honest = receiptBy(provider.key, consumer.address, provider.address, a.requestId, 10, 5)
  assert.equal(g.claim(mallory.address, [honest]).vouchers.length, 0)
  const forged = receiptBy(mallory.key, consumer.address, provider.address, a.requestId, 10, 5)
  assert.equal(g.claim(provider.address, [forged]).vouchers.length, 0)
  // An id the gateway never began: resolved (stop claiming), nothing paid.
  const unknown = receiptBy(provider.key, consumer.address, provider.address, `0x${'ab'.repeat(32)}`, 10, 5)
  const u = g.claim(provider.address, [unknown])
  assert.deepEqual(u.resolved, [unknown.requestId])
  assert.equal(u.vouchers.length, 0)
  // An inflated receipt (10,000 completion tokens for max_tokens 10) is paid at most the attempt's bound.
  const inflated = receiptBy(provider.key, consumer.address, provider.address, a.requestId, 10, 10_000)
  const paid = g.claim(provider.address, [inflated])
  const bound = priceWei(policy, 40 + 256, 10)
  assert.equal(paid.vouchers[0]!.cumulativeAmount, bound)
  // Replayed: the standing voucher again, no second charge.
  const again = g.claim(provider.address, [inflated])
  assert.equal(again.vouchers[0]!.cumulativeAmount, bound)
})

test('the gateway journal restores channels, pending attempts and undelivered vouchers; a torn line is ignored', async () => {
  await using dir = await tmpDir()
  const consumer = key()
  const provider = key()
  const keys = new Map([[consumer.address.toLowerCase(), consumer.key]])
  const signer = { address: consumer.address, privateKey: consumer.key }
  const first = await gatewayIn(dir.path, keys)
  first.g
    .begin(attempt(consumer.address, provider.address), signer)
    .end({ completionTokens: 3, promptTokens: 4 })
  const pending = first.g.begin(attempt(consumer.address, provider.address), signer)
  // kill -9: no close, no fsync; then a torn half line.
  await appendFile(join(dir.path, 'gateway.jsonl'), '{"k":"charge","id":"0x12')
  const second = await gatewayIn(dir.path, keys)
  const undelivered = second.g.undelivered()
  assert.equal(undelivered.length, 1)
  // Spend over time comes back from the journal's times (the charge of a minute ago is in the last buckets).
  const spent = second.stats.history
    .query({ modelId: '1', bucketSeconds: 60, buckets: 5, nowMs: Date.now() })
    .reduce((s, b) => s + b.consumed.wei, 0n)
  assert.equal(spent, priceWei(policy, 4, 3))
  assert.equal(undelivered[0]!.voucher.cumulativeAmount, priceWei(policy, 4, 3))
  assert.ok(second.g.reservedFor(consumer.address) > 0n, 'the pending attempt survived')
  const claimed = second.g.claim(provider.address, [
    receiptBy(provider.key, consumer.address, provider.address, pending.requestId, 4, 2),
  ])
  assert.equal(claimed.vouchers[0]!.cumulativeAmount, priceWei(policy, 4, 3) + priceWei(policy, 4, 2))
  second.g.delivered(claimed.vouchers[0]!)
  const third = await gatewayIn(dir.path, keys)
  assert.equal(third.g.undelivered().length, 0)
  assert.equal(third.g.reservedFor(consumer.address), 0n)
})

test('the provider keeps only vouchers for itself, signed by the consumer or an authorised signer, newest first', async () => {
  await using dir = await tmpDir()
  const me = key()
  const other = key()
  const consumer = key()
  const gatewayKey = key()
  const stranger = key()
  const authorised = new Set([`${consumer.address}:${gatewayKey.address}`.toLowerCase()])
  const open = async () => {
    const journal = new UsageJournal(join(dir.path, 'provider.jsonl'), ProviderRecordSchema)
    const p = new ProviderMeter({
      journal,
      domain,
      address: me.address,
      privateKey: me.key,
      isSigner: async (c, s) => authorised.has(`${c}:${s}`.toLowerCase()),
      stats: new UsageStats(),
      log: silentLogger,
    })
    p.load(await journal.open())
    return p
  }
  const voucher = (
    signerKey: Hex,
    signer: `0x${string}`,
    amount: bigint,
    provider = me.address,
  ): VoucherWire => {
    const v = { consumer: consumer.address, provider, modelId: 1n, versionId: 2n, cumulativeAmount: amount }
    return {
      channel: { consumer: consumer.address, signer, provider, modelId: 1n, versionId: 2n },
      cumulativeAmount: amount,
      signature: signVoucherWithKey(signerKey, domain, v).signature,
    }
  }
  const p = await open()
  const r = await p.accept([
    { voucher: voucher(stranger.key, stranger.address, 10n), paid: [] }, // not authorised
    { voucher: voucher(consumer.key, consumer.address, 10n, other.address), paid: [] }, // another provider's
    { voucher: voucher(stranger.key, gatewayKey.address, 10n), paid: [] }, // claims a signer it is not
    { voucher: voucher(gatewayKey.key, gatewayKey.address, 50n), paid: [] },
    { voucher: voucher(consumer.key, consumer.address, 20n), paid: [] },
  ])
  assert.deepEqual(r, { accepted: 2, refused: 3 })
  // A lower (older) voucher does not replace the newer one.
  await p.accept([{ voucher: voucher(gatewayKey.key, gatewayKey.address, 30n), paid: [] }])
  assert.deepEqual(
    p
      .toRedeem()
      .map((v) => v.cumulativeAmount)
      .sort(),
    [20n, 50n],
  )
  p.redeemed(p.toRedeem().find((v) => v.cumulativeAmount === 50n)!, '0xtx')
  // After a restart from the journal: the same vouchers, the redeemed one not redeemed twice.
  const q = await open()
  assert.deepEqual(
    q.toRedeem().map((v) => v.cumulativeAmount),
    [20n],
  )
  assert.equal(q.outstandingFor(consumer.address), 20n)
})

test("the provider's revenue over time comes back from its receipts' times after a restart", async () => {
  await using dir = await tmpDir()
  const me = key()
  const consumer = key()
  const open = async () => {
    const journal = new UsageJournal(join(dir.path, 'provider.jsonl'), ProviderRecordSchema)
    const stats = new UsageStats()
    const p = new ProviderMeter({
      journal,
      domain,
      address: me.address,
      privateKey: me.key,
      isSigner: async () => true,
      stats,
      log: silentLogger,
      now: () => Date.now() - 3 * 60_000, // served three minutes ago
    })
    p.load(await journal.open())
    return { p, stats, journal }
  }
  const first = await open()
  first.p.served({
    gateway: 'peer-g',
    consumer: consumer.address,
    modelId: '1',
    versionId: '2',
    requestId: `0x${'cd'.repeat(32)}`,
    promptTokens: 10,
    completionTokens: 4,
    policy,
  })
  first.journal.close()
  const { stats } = await open()
  const buckets = stats.history.query({ modelId: '1', bucketSeconds: 60, buckets: 10, nowMs: Date.now() })
  assert.deepEqual(
    buckets
      .filter((b) => b.served.requests > 0)
      .map((b) => [b.start <= Date.now() / 1000 - 120, b.served.wei]),
    [[true, priceWei(policy, 10, 4)]],
  )
})
