import type { Hex } from 'viem'
import type { UsagePolicy } from '../chain/index.ts'
import { recoverVoucherSigner, signReceiptWithKey } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import { isPaid, priceWei } from './price.ts'
import { channelKey, type ProviderRecord, type ReceiptWire, type VoucherWire } from './records.ts'
import type { UsageJournal } from './usage-journal.ts'
import type { UsageStats } from './usage-stats.ts'

/** A request this node served, as the infer handler reports it. */
export interface ServedRequest {
  /** The PeerId of the gateway that asked (this node's own for requests served here). */
  gateway: string
  consumer: `0x${string}`
  modelId: string
  versionId: string
  requestId: Hex
  promptTokens: number
  completionTokens: number
  policy: UsagePolicy
}

interface ReceiptState {
  gateway: string
  consumer: `0x${string}`
  modelId: bigint
  versionId: bigint
  receipt: ReceiptWire
  at: number
}

interface VoucherState {
  voucher: VoucherWire
  redeemed: bigint
}

/** Most unpaid receipts kept for claims; past it the oldest are dropped (and logged). */
const MAX_UNPAID = 100_000

/**
 * The provider's side of metering: signs an EIP-712 receipt for every paid request it served (journaled
 * before it is sent), keeps the newest voucher of each channel (checked: signed by the consumer or a
 * signer it authorised, for this provider, above what it holds), knows which receipts are still unpaid
 * (to claim them from the gateway that asked), and lists what to redeem on chain.
 */
export class ProviderMeter {
  private readonly unpaid = new Map<string, ReceiptState>()
  private readonly vouchers = new Map<string, VoucherState>()

  constructor(
    private readonly c: {
      journal: UsageJournal<ProviderRecord>
      domain: { chainId: number; escrow: `0x${string}` }
      address: `0x${string}`
      privateKey: Hex
      /** Whether `signer` may sign for `consumer` on the escrow now (read from chain, cached). */
      isSigner(consumer: `0x${string}`, signer: `0x${string}`): Promise<boolean>
      stats: UsageStats
      log: Logger
      now?: () => number
    },
  ) {}

  load(records: readonly ProviderRecord[]): void {
    for (const r of records) {
      if (r.k === 'receipt') {
        this.unpaid.set(r.receipt.requestId, {
          gateway: r.gateway,
          consumer: r.channel.consumer,
          modelId: r.channel.modelId,
          versionId: r.channel.versionId,
          receipt: r.receipt,
          at: r.at,
        })
        this.c.stats.servedRequest(
          r.channel.modelId,
          r.receipt.promptTokens,
          r.receipt.completionTokens,
          r.receipt.priceWei,
          r.at,
        )
      } else if (r.k === 'voucher') this.keep(r.voucher, r.paid ?? [])
      else {
        const v = this.vouchers.get(channelKey(r.channel))
        if (v !== undefined && r.cumulative > v.redeemed) v.redeemed = r.cumulative
      }
    }
  }

  /** Signs and journals the receipt of a served request; undefined when the model is free. */
  served(s: ServedRequest): ReceiptWire | undefined {
    if (!isPaid(s.policy)) {
      this.c.stats.servedRequest(s.modelId, s.promptTokens, s.completionTokens, 0n)
      return undefined
    }
    const price = priceWei(s.policy, s.promptTokens, s.completionTokens)
    const channel = {
      consumer: s.consumer,
      provider: this.c.address,
      modelId: BigInt(s.modelId),
      versionId: BigInt(s.versionId),
    }
    const signed = signReceiptWithKey(this.c.privateKey, this.c.domain, {
      ...channel,
      requestId: s.requestId,
      promptTokens: BigInt(s.promptTokens),
      completionTokens: BigInt(s.completionTokens),
      priceWei: price,
    })
    const receipt: ReceiptWire = {
      requestId: s.requestId,
      promptTokens: s.promptTokens,
      completionTokens: s.completionTokens,
      priceWei: price,
      signature: signed.signature,
    }
    const at = this.now()
    this.c.journal.append({ k: 'receipt', channel, gateway: s.gateway, receipt, at })
    this.c.stats.servedRequest(s.modelId, s.promptTokens, s.completionTokens, price, at)
    if (this.unpaid.size >= MAX_UNPAID) {
      const oldest = this.unpaid.keys().next().value as string
      this.c.log.warn({ requestId: oldest }, 'too many unpaid receipts: the oldest is no longer claimed')
      this.unpaid.delete(oldest)
    }
    this.unpaid.set(s.requestId, {
      gateway: s.gateway,
      consumer: s.consumer,
      modelId: channel.modelId,
      versionId: channel.versionId,
      receipt,
      at,
    })
    return receipt
  }

  /**
   * Takes vouchers a gateway delivered (with the request ids they pay for). Each must be for this provider,
   * signed by its consumer or a signer the consumer authorised; a voucher not above the one held is stale and
   * ignored. Returns how many were new. Throws nothing for a bad voucher: it is counted as refused.
   */
  async accept(
    items: readonly { voucher: VoucherWire; paid: readonly Hex[] }[],
  ): Promise<{ accepted: number; refused: number }> {
    let accepted = 0
    let refused = 0
    for (const { voucher, paid } of items) {
      if (!(await this.valid(voucher))) {
        refused++
        continue
      }
      const held = this.vouchers.get(channelKey(voucher.channel))
      for (const id of paid) this.unpaid.delete(id)
      if (held !== undefined && voucher.cumulativeAmount <= held.voucher.cumulativeAmount) continue
      this.c.journal.append({ k: 'voucher', voucher, paid: [...paid], at: this.now() })
      this.keep(voucher, paid)
      accepted++
    }
    return { accepted, refused }
  }

  /** Receipts still unpaid after `olderThanMs`, grouped by the gateway to claim them from. */
  claimable(olderThanMs: number): Map<string, ReceiptWire[]> {
    const horizon = this.now() - olderThanMs
    const out = new Map<string, ReceiptWire[]>()
    for (const r of this.unpaid.values()) {
      if (r.at > horizon) continue
      const list = out.get(r.gateway) ?? []
      if (list.length < 1_000) list.push(r.receipt)
      out.set(r.gateway, list)
    }
    return out
  }

  /** The gateway answered a claim: these ids are paid (or it denies them): stop claiming them. */
  resolved(ids: readonly Hex[]): void {
    for (const id of ids) this.unpaid.delete(id)
  }

  /** Newest vouchers above what was redeemed, ordered by model (what one settlement redeems). */
  toRedeem(): VoucherWire[] {
    return [...this.vouchers.values()]
      .filter((v) => v.voucher.cumulativeAmount > v.redeemed)
      .map((v) => v.voucher)
      .sort((a, b) =>
        a.channel.modelId < b.channel.modelId ? -1 : a.channel.modelId > b.channel.modelId ? 1 : 0,
      )
  }

  /** Records a confirmed redemption; returns the wei it paid. */
  redeemed(voucher: VoucherWire, tx: string): bigint {
    const v = this.vouchers.get(channelKey(voucher.channel))
    if (v === undefined || voucher.cumulativeAmount <= v.redeemed) return 0n
    const paid = voucher.cumulativeAmount - v.redeemed
    v.redeemed = voucher.cumulativeAmount
    this.c.journal.append({
      k: 'redeemed',
      channel: voucher.channel,
      cumulative: voucher.cumulativeAmount,
      tx,
    })
    this.c.stats.settled(paid)
    return paid
  }

  /** Wei held in vouchers and not yet redeemed, and wei of receipts not yet covered by a voucher. */
  outstanding(): { unredeemedWei: bigint; unpaidReceipts: number; unpaidWei: bigint } {
    let unredeemedWei = 0n
    for (const v of this.vouchers.values()) unredeemedWei += v.voucher.cumulativeAmount - v.redeemed
    let unpaidWei = 0n
    for (const r of this.unpaid.values()) unpaidWei += r.receipt.priceWei
    return { unredeemedWei, unpaidReceipts: this.unpaid.size, unpaidWei }
  }

  /** What a consumer owes this node and it has not redeemed yet: vouchers held plus unpaid receipts (wei). */
  outstandingFor(consumer: `0x${string}`): bigint {
    const c = consumer.toLowerCase()
    let sum = 0n
    for (const v of this.vouchers.values()) {
      if (v.voucher.channel.consumer.toLowerCase() === c) sum += v.voucher.cumulativeAmount - v.redeemed
    }
    for (const r of this.unpaid.values()) if (r.consumer.toLowerCase() === c) sum += r.receipt.priceWei
    return sum
  }

  /** Records that matter after a compaction. */
  snapshot(): ProviderRecord[] {
    const out: ProviderRecord[] = []
    for (const r of this.unpaid.values()) {
      out.push({
        k: 'receipt',
        channel: {
          consumer: r.consumer,
          provider: this.c.address,
          modelId: r.modelId,
          versionId: r.versionId,
        },
        gateway: r.gateway,
        receipt: r.receipt,
        at: r.at,
      })
    }
    for (const v of this.vouchers.values()) {
      out.push({ k: 'voucher', voucher: v.voucher, paid: [], at: 0 })
      if (v.redeemed > 0n)
        out.push({ k: 'redeemed', channel: v.voucher.channel, cumulative: v.redeemed, tx: 'compacted' })
    }
    return out
  }

  private keep(voucher: VoucherWire, paid: readonly string[]): void {
    for (const id of paid) this.unpaid.delete(id)
    const key = channelKey(voucher.channel)
    const held = this.vouchers.get(key)
    if (held === undefined) this.vouchers.set(key, { voucher, redeemed: 0n })
    else if (voucher.cumulativeAmount > held.voucher.cumulativeAmount) held.voucher = voucher
  }

  private async valid(v: VoucherWire): Promise<boolean> {
    const ch = v.channel
    if (ch.provider.toLowerCase() !== this.c.address.toLowerCase()) return false
    const signer = recoverVoucherSigner(this.c.domain, {
      voucher: {
        consumer: ch.consumer,
        provider: ch.provider,
        modelId: ch.modelId,
        versionId: ch.versionId,
        cumulativeAmount: v.cumulativeAmount,
      },
      signature: v.signature,
    })
    if (signer === undefined || signer.toLowerCase() !== ch.signer.toLowerCase()) return false
    if (signer.toLowerCase() === ch.consumer.toLowerCase()) return true
    return this.c.isSigner(ch.consumer, signer).catch(() => false)
  }

  private now(): number {
    return (this.c.now ?? Date.now)()
  }
}
