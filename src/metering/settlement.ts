import type { ChainWriter } from '../chain/index.ts'
import { redeemVouchers } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import type { ProviderMeter } from './provider-meter.ts'
import type { VoucherWire } from './records.ts'

/** What a settlement did. */
export interface SettleResult {
  vouchers: number
  paidWei: bigint
  transactions: string[]
  failed: number
}

/**
 * Redeems every voucher the provider holds above what was redeemed, 200 channels per transaction; a batch
 * that reverts (one consumer's deposit fell short) is redeemed one by one so the others are still paid.
 */
export async function redeemAll(
  provider: ProviderMeter,
  writer: ChainWriter,
  log: Logger,
): Promise<SettleResult> {
  const all = provider.toRedeem()
  const result: SettleResult = { vouchers: 0, paidWei: 0n, transactions: [], failed: 0 }
  for (let i = 0; i < all.length; i += 200) {
    const batch = all.slice(i, i + 200)
    try {
      await redeem(provider, writer, batch, result)
    } catch (err) {
      log.warn({ err, vouchers: batch.length }, 'a settlement batch reverted; redeeming one by one')
      for (const v of batch) {
        try {
          await redeem(provider, writer, [v], result)
        } catch (one) {
          result.failed++
          log.warn({ err: one, consumer: v.channel.consumer }, 'a voucher could not be redeemed')
        }
      }
    }
  }
  if (result.vouchers > 0)
    log.info({ vouchers: result.vouchers, paidWei: result.paidWei.toString() }, 'settled')
  return result
}

async function redeem(
  provider: ProviderMeter,
  writer: ChainWriter,
  batch: VoucherWire[],
  result: SettleResult,
): Promise<void> {
  const receipt = await redeemVouchers(
    writer,
    batch.map((v) => ({
      voucher: {
        consumer: v.channel.consumer,
        provider: v.channel.provider,
        modelId: v.channel.modelId,
        versionId: v.channel.versionId,
        cumulativeAmount: v.cumulativeAmount,
      },
      signature: v.signature,
    })),
  )
  for (const v of batch) result.paidWei += provider.redeemed(v, receipt.transactionHash)
  result.vouchers += batch.length
  result.transactions.push(receipt.transactionHash)
}
