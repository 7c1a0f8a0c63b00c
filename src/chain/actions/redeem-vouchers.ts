import type { TransactionReceipt } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import type { SignedVoucher } from '../usage-typed-data.ts'
import { writeEscrow } from './escrow-write.ts'

/**
 * The provider (the writer's account) redeems the newest voucher of one or more channels in one
 * transaction, all or nothing. Refusals revert by name: VoucherBadSignature, VoucherNotIncreasing,
 * VoucherExceedsDeposit, VoucherWrongProvider.
 */
export async function redeemVouchers(c: ChainWriter, vouchers: SignedVoucher[]): Promise<TransactionReceipt> {
  const what = `Redeeming ${vouchers.length} voucher(s)`
  if (vouchers.length === 1) return writeEscrow(c, what, 'redeem', [vouchers[0]])
  return writeEscrow(c, what, 'redeemMany', [vouchers])
}
