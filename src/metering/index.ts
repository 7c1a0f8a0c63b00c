/**
 * The metering domain: what consumers are served is paid for. The consumer's gateway signs cumulative
 * EIP-712 vouchers after serving, the serving node signs receipts, both keep journals that survive a
 * kill -9, and providers redeem vouchers in batches on the UsageEscrow.
 */
export { VoucherSignerMissingError } from './errors.ts'
export type { AttemptEnd, AttemptStart, VoucherSigner } from './gateway-meter.ts'
export {
  type MeteringComponents,
  type MeteringInit,
  MeteringService,
} from './metering-service.ts'
export { isPaid, maxCostWei, priceWei } from './price.ts'
export type { Channel, ReceiptWire, VoucherWire } from './records.ts'
export type { SettleResult } from './settlement.ts'
export { HISTORY_LIMITS, type UsageBucket } from './usage-history.ts'
export { USAGE_PROTOCOL } from './usage-protocol.ts'
export type { UsageTotals } from './usage-stats.ts'
