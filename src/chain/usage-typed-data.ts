// EIP-712 typed data for usage payments: the consumer's cumulative voucher (redeemed on chain by the
// UsageEscrow) and the provider's receipt (an off-chain record of one served request). Pure: signing
// takes a viem account, verifying recovers the signer; no chain access.
import { type Hex, type LocalAccount, recoverTypedDataAddress } from 'viem'

/** The escrow's EIP-712 domain; must match UsageEscrow's constructor (name, version). */
export function usageDomain(chainId: number, escrow: `0x${string}`) {
  return { name: 'Model Commons UsageEscrow', version: '1', chainId, verifyingContract: escrow } as const
}

export const voucherTypes = {
  Voucher: [
    { name: 'consumer', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'modelId', type: 'uint256' },
    { name: 'versionId', type: 'uint256' },
    { name: 'cumulativeAmount', type: 'uint256' },
  ],
} as const

export const receiptTypes = {
  Receipt: [
    { name: 'consumer', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'modelId', type: 'uint256' },
    { name: 'versionId', type: 'uint256' },
    { name: 'requestId', type: 'bytes32' },
    { name: 'promptTokens', type: 'uint256' },
    { name: 'completionTokens', type: 'uint256' },
    { name: 'priceWei', type: 'uint256' },
  ],
} as const

/** What the consumer authorises on one channel: the total it owes the provider so far. */
export interface Voucher {
  consumer: `0x${string}`
  provider: `0x${string}`
  modelId: bigint
  versionId: bigint
  cumulativeAmount: bigint
}

/** What the provider attests it served for one request, at what price. */
export interface UsageReceipt {
  consumer: `0x${string}`
  provider: `0x${string}`
  modelId: bigint
  versionId: bigint
  requestId: Hex
  promptTokens: bigint
  completionTokens: bigint
  priceWei: bigint
}

export interface SignedVoucher {
  voucher: Voucher
  signature: Hex
}

export interface SignedReceipt {
  receipt: UsageReceipt
  signature: Hex
}

interface Domain {
  chainId: number
  escrow: `0x${string}`
}

/** The consumer signs a voucher (after it has been served; pay after serve). */
export async function signVoucher(
  account: LocalAccount,
  d: Domain,
  voucher: Voucher,
): Promise<SignedVoucher> {
  const signature = await account.signTypedData({
    domain: usageDomain(d.chainId, d.escrow),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: voucher,
  })
  return { voucher, signature }
}

/** Whether a voucher was signed by its consumer (the check the escrow makes on chain). */
export async function verifyVoucher(d: Domain, sv: SignedVoucher): Promise<boolean> {
  const signer = await recoverTypedDataAddress({
    domain: usageDomain(d.chainId, d.escrow),
    types: voucherTypes,
    primaryType: 'Voucher',
    message: sv.voucher,
    signature: sv.signature,
  }).catch(() => undefined)
  return signer !== undefined && signer.toLowerCase() === sv.voucher.consumer.toLowerCase()
}

/** The provider signs a receipt for one served request. */
export async function signReceipt(
  account: LocalAccount,
  d: Domain,
  receipt: UsageReceipt,
): Promise<SignedReceipt> {
  const signature = await account.signTypedData({
    domain: usageDomain(d.chainId, d.escrow),
    types: receiptTypes,
    primaryType: 'Receipt',
    message: receipt,
  })
  return { receipt, signature }
}

/** Whether a receipt was signed by its provider. */
export async function verifyReceipt(d: Domain, sr: SignedReceipt): Promise<boolean> {
  const signer = await recoverTypedDataAddress({
    domain: usageDomain(d.chainId, d.escrow),
    types: receiptTypes,
    primaryType: 'Receipt',
    message: sr.receipt,
    signature: sr.signature,
  }).catch(() => undefined)
  return signer !== undefined && signer.toLowerCase() === sr.receipt.provider.toLowerCase()
}
