// EIP-712 typed data for usage payments: the consumer's cumulative voucher (redeemed on chain by the
// UsageEscrow) and the provider's receipt (an off-chain record of one served request). Pure: signing
// takes a viem account (or a raw key), verifying recovers the signer; no chain access.
import { bytesToHex, type Hex } from 'viem'
import { receiptDigestBytes, recoverDigestSigner, signDigest, voucherDigestBytes } from './usage-digest.ts'

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

/** An account that signs a raw 32-byte hash (viem's private-key and HD accounts do). */
export interface HashSigner {
  sign: (p: { hash: Hex }) => Promise<Hex>
}

interface Domain {
  chainId: number
  escrow: `0x${string}`
}

/** The consumer signs a voucher (after it has been served; pay after serve). */
export async function signVoucher(account: HashSigner, d: Domain, voucher: Voucher): Promise<SignedVoucher> {
  return { voucher, signature: await account.sign({ hash: bytesToHex(voucherDigestBytes(d, voucher)) }) }
}

/** The same with a raw private key, without an account object (the fast path for gateways). */
export function signVoucherWithKey(privateKey: Hex, d: Domain, voucher: Voucher): SignedVoucher {
  return { voucher, signature: signDigest(voucherDigestBytes(d, voucher), privateKey) }
}

/** Whether a voucher was signed by its consumer (the check the escrow makes on chain). */
export function verifyVoucher(d: Domain, sv: SignedVoucher): boolean {
  const signer = recoverDigestSigner(voucherDigestBytes(d, sv.voucher), sv.signature)
  return signer !== undefined && signer.toLowerCase() === sv.voucher.consumer.toLowerCase()
}

/** The provider signs a receipt for one served request. */
export async function signReceipt(
  account: HashSigner,
  d: Domain,
  receipt: UsageReceipt,
): Promise<SignedReceipt> {
  return { receipt, signature: await account.sign({ hash: bytesToHex(receiptDigestBytes(d, receipt)) }) }
}

/** The same with a raw private key. */
export function signReceiptWithKey(privateKey: Hex, d: Domain, receipt: UsageReceipt): SignedReceipt {
  return { receipt, signature: signDigest(receiptDigestBytes(d, receipt), privateKey) }
}

/** Whether a receipt was signed by its provider. */
export function verifyReceipt(d: Domain, sr: SignedReceipt): boolean {
  const signer = recoverDigestSigner(receiptDigestBytes(d, sr.receipt), sr.signature)
  return signer !== undefined && signer.toLowerCase() === sr.receipt.provider.toLowerCase()
}

/** Who signed a voucher (the consumer, or a signer it authorised on the escrow), or undefined if malformed. */
export function recoverVoucherSigner(d: Domain, sv: SignedVoucher): `0x${string}` | undefined {
  return recoverDigestSigner(voucherDigestBytes(d, sv.voucher), sv.signature)
}
