import { join } from 'node:path'
import type { Hex } from 'viem'
import {
  type ChainReader,
  type ChainWriter,
  getPublishedVersionId,
  isEscrowSigner,
  readChannel,
  redeemVouchers,
  type UsagePolicy,
  verifyReceipt,
} from '../chain/index.ts'
import type { GenerationMeter, InferenceTask, ServedMeter } from '../inference/index.ts'
import type { Logger } from '../log.ts'
import type { CommonsHost } from '../net/index.ts'
import { addressFromPeerId } from '../net/index.ts'
import { TtlCache } from '../ttl-cache.ts'
import { VoucherSignerMissingError } from './errors.ts'
import { GatewayMeter, type VoucherSigner } from './gateway-meter.ts'
import { isPaid, maxCostWei } from './price.ts'
import { ProviderMeter } from './provider-meter.ts'
import { GatewayRecordSchema, ProviderRecordSchema, ReceiptWireSchema, type VoucherWire } from './records.ts'
import { redeemAll, type SettleResult } from './settlement.ts'
import { UsageJournal } from './usage-journal.ts'
import { sendClaim, sendVouchers, USAGE_PROTOCOL, usageProtocolHandler } from './usage-protocol.ts'
import { UsageStats } from './usage-stats.ts'
import { VoucherOutbox } from './voucher-outbox.ts'

export interface MeteringInit {
  /** Where the journals live (`<data>/usage`). */
  dir: string
  /** How often this node redeems the vouchers it holds (ms; default 10 min; 0: only on demand). */
  settleIntervalMs?: number
  /** How long a receipt may stay unpaid before it is claimed from its gateway (ms; default 30 s). */
  claimAfterMs?: number
}

export interface MeteringComponents {
  reader: ChainReader
  /** The node's account: it signs receipts, redeems vouchers, and signs vouchers for consumers that authorised it. */
  writer: ChainWriter
  nodeAddress: `0x${string}`
  nodeKey: Hex
  /** Local accounts this node holds the keys of (they sign their own vouchers). */
  localKeys: ReadonlyMap<string, Hex>
  domain: { chainId: number; escrow: `0x${string}` }
  policyOf(modelId: string): Promise<UsagePolicy>
  host?: Pick<CommonsHost, 'peerId' | 'handle' | 'unhandle' | 'dial'>
  log: Logger
}

/**
 * Metering and payment on one node: the gateway side for its consumers (vouchers after serving) and the
 * provider side for what it serves (receipts, vouchers kept, settlement), their journals, the usage
 * protocol between nodes, and the figures for `/api/usage` and Prometheus.
 */
export class MeteringService {
  readonly stats = new UsageStats()
  readonly gateway: GatewayMeter
  readonly provider: ProviderMeter
  private readonly gatewayJournal: UsageJournal<import('./records.ts').GatewayRecord>
  private readonly providerJournal: UsageJournal<import('./records.ts').ProviderRecord>
  private readonly outbox: VoucherOutbox
  private readonly log: Logger
  /**
   * Signer authorisations, trusted for 30 s when granted (a revoked signer's vouchers stay redeemable for a
   * day, so nothing signed meanwhile is lost); a refusal is re-read from chain at once.
   */
  private readonly signers = new TtlCache<boolean>(30_000, 10_000)
  /**
   * Deposits and redeemed amounts, trusted for 30 s: a deposit only shrinks by redemptions (of what this node
   * signed, already counted as outstanding, or of others' vouchers, unknown here anyway) or by a withdrawal,
   * which waits a day; a stale redeemed amount only overstates what is outstanding. Keeps chain reads off
   * the path of almost every paid request.
   */
  private readonly funds = new TtlCache<bigint>(30_000, 10_000)
  private readonly versions = new TtlCache<bigint>(60_000, 10_000)
  private timers: NodeJS.Timeout[] = []
  private settling: Promise<SettleResult> | undefined

  constructor(
    private readonly init: MeteringInit,
    private readonly c: MeteringComponents,
  ) {
    this.log = c.log.child({ component: 'metering' })
    this.gatewayJournal = new UsageJournal(join(init.dir, 'gateway.jsonl'), GatewayRecordSchema)
    this.providerJournal = new UsageJournal(join(init.dir, 'provider.jsonl'), ProviderRecordSchema)
    this.outbox = new VoucherOutbox({
      send: (peer, items) => this.deliver(peer, items),
      delivered: (v) => this.gateway.delivered(v),
      log: this.log,
    })
    this.gateway = new GatewayMeter({
      journal: this.gatewayJournal,
      domain: c.domain,
      keyOf: (signer) =>
        signer.toLowerCase() === c.nodeAddress.toLowerCase()
          ? c.nodeKey
          : c.localKeys.get(signer.toLowerCase()),
      onVoucher: (peer, voucher, requestId) => this.outbox.add(peer, voucher, [requestId]),
      stats: this.stats,
      log: this.log,
    })
    this.provider = new ProviderMeter({
      journal: this.providerJournal,
      domain: c.domain,
      address: c.nodeAddress,
      privateKey: c.nodeKey,
      // Cached either way: a peer sending vouchers by signers nobody authorised must not turn each one into a
      // chain read (a refused voucher is sent again by its gateway's retries once the cache has expired).
      isSigner: (consumer, signer) =>
        this.signers.get(`${consumer}:${signer}`, () => isEscrowSigner(c.reader, { consumer, signer })),
      stats: this.stats,
      log: this.log,
    })
  }

  private get peerId(): string {
    return this.c.host?.peerId ?? 'local'
  }

  async start(): Promise<void> {
    this.gateway.load(await this.gatewayJournal.open())
    this.provider.load(await this.providerJournal.open())
    if (this.c.host !== undefined) {
      await this.c.host.handle(
        USAGE_PROTOCOL,
        usageProtocolHandler(
          {
            acceptVouchers: (items) => this.provider.accept(items),
            claim: (from, receipts) => this.gateway.claim(from, receipts),
          },
          this.log,
        ),
        { maxInboundStreams: 16, maxOutboundStreams: 16 },
      )
    }
    // Vouchers signed before a crash and never acknowledged go out again (idempotent: cumulative).
    for (const { peer, voucher } of this.gateway.undelivered()) this.outbox.add(peer, voucher)
    const claimAfter = this.init.claimAfterMs ?? 30_000
    this.every(Math.max(1_000, Math.floor(claimAfter / 2)), () => this.claimUnpaid(claimAfter))
    const settleMs = this.init.settleIntervalMs ?? 600_000
    if (settleMs > 0) this.every(settleMs, () => this.settle().then(() => undefined))
    this.every(60_000, () => this.compact())
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t)
    this.timers = []
    this.outbox.close()
    await this.settling?.catch(() => undefined)
    if (this.c.host !== undefined) await this.c.host.unhandle(USAGE_PROTOCOL).catch(() => undefined)
    this.gatewayJournal.close()
    this.providerJournal.close()
  }

  /** The router's meter: each attempt of a paid request is journaled before it starts and paid after. */
  readonly meter: GenerationMeter = {
    begin: async ({ target, consumer, peer, task, generatedBefore }) => {
      const policy = await this.c.policyOf(target.modelId)
      if (!isPaid(policy)) return undefined
      const provider = peer === undefined ? this.c.nodeAddress : addressFromPeerId(peer)
      const signer = await this.signerFor(consumer)
      if (signer === undefined) {
        throw new VoucherSignerMissingError(
          `${target.modelName} is paid and this node no longer holds a key that signs vouchers for ${consumer}: authorise it again (\`commons deposit --authorize <node address>\`).`,
        )
      }
      const attempt = this.gateway.begin(
        {
          consumer,
          modelId: target.modelId,
          versionId: target.versionId,
          provider,
          peer: peer ?? this.peerId,
          policy,
          promptBytes: promptBytesOf(task),
          maxTokens: task.params.maxTokens,
          generatedBefore,
        },
        signer,
      )
      const checked = (receipt: unknown, requestId: Hex) =>
        this.checkReceipt(receipt, requestId, {
          consumer,
          provider,
          modelId: target.modelId,
          versionId: target.versionId,
        })
      return {
        requestId: attempt.requestId,
        end: (r) => {
          if (peer !== undefined) {
            attempt.end({ ...r, receipt: checked(r.receipt, attempt.requestId) })
            return
          }
          // Served here: this node is the provider too and signs its own receipt.
          const receipt =
            r.completionTokens > 0
              ? this.provider.served({
                  gateway: this.peerId,
                  consumer,
                  modelId: target.modelId,
                  versionId: target.versionId,
                  requestId: attempt.requestId,
                  promptTokens: r.promptTokens ?? 0,
                  completionTokens: r.completionTokens,
                  policy,
                })
              : undefined
          attempt.end({ ...r, receipt })
        },
      }
    },
  }

  /** The serving side's meter: receipts for paid requests peers ask for. */
  readonly servedMeter: ServedMeter = {
    served: async (s) => {
      const policy = await this.c.policyOf(s.modelId)
      if (!isPaid(policy)) {
        this.stats.servedRequest(s.modelId, s.promptTokens, s.completionTokens, 0n)
        return undefined
      }
      const root = (
        s.contentRoot.startsWith('0x') ? s.contentRoot : `0x${s.contentRoot}`
      ).toLowerCase() as Hex
      const versionId = await this.versions.get(`${s.modelId}:${root}`, () =>
        getPublishedVersionId(this.c.reader, { modelId: BigInt(s.modelId), contentRoot: root }),
      )
      const receipt = this.provider.served({ ...s, versionId: versionId.toString(), policy })
      return receipt === undefined
        ? undefined
        : JSON.parse(JSON.stringify(receipt, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)))
    },
  }

  /**
   * Whether a consumer can pay for one more request to a paid model through this node: this node must hold
   * a signer for it (its own key, or the node's key authorised on the escrow), and the deposit must cover
   * what this node already signed and has not seen redeemed, what requests under way may cost, and this
   * request's bound.
   */
  async canPay(
    _modelId: string,
    consumer: `0x${string}`,
    policy: UsagePolicy,
    bound: { promptBytes: number; maxTokens: number },
  ): Promise<boolean> {
    const signer = await this.signerFor(consumer)
    if (signer === undefined) return false
    const bounded =
      this.gateway.reservedFor(consumer) + maxCostWei(policy, bound.promptBytes, bound.maxTokens)
    // From the cache first; a refusal is checked again against the chain (a deposit may just have arrived).
    return (await this.covers(consumer, bounded, true)) || this.covers(consumer, bounded, false)
  }

  /** Whether the consumer's deposit covers `owed` plus what this gateway signed and saw no redemption of. */
  private async covers(consumer: `0x${string}`, owed: bigint, cached: boolean): Promise<boolean> {
    const read = (key: string, load: () => Promise<bigint>) => (cached ? this.funds.get(key, load) : load())
    let deposit: bigint | undefined
    for (const { channel, cumulative } of this.gateway.signedFor(consumer)) {
      const key = `ch:${channel.signer}:${channel.provider}:${channel.modelId}:${channel.versionId}:${consumer}`
      const redeemed = await read(key, async () => {
        const r = await readChannel(this.c.reader, channel)
        deposit = r.deposit
        return r.redeemed
      })
      owed += cumulative > redeemed ? cumulative - redeemed : 0n
    }
    deposit ??= await read(`dep:${consumer}`, () => this.depositOf(consumer))
    return deposit >= owed
  }

  /**
   * Whether a consumer's deposit covers what it already owes this node (vouchers held, receipts unpaid) and
   * this request's bound: a serving node's check before it works for a peer's paid request.
   */
  async canPayPeer(
    _modelId: string,
    consumer: `0x${string}`,
    policy: UsagePolicy,
    bound: { promptBytes: number; maxTokens: number },
  ): Promise<boolean> {
    const owed =
      this.provider.outstandingFor(consumer) + maxCostWei(policy, bound.promptBytes, bound.maxTokens)
    if ((await this.funds.get(`dep:${consumer}`, () => this.depositOf(consumer))) >= owed) return true
    return (await this.depositOf(consumer)) >= owed // a refusal is checked against the chain itself
  }

  private async depositOf(consumer: `0x${string}`): Promise<bigint> {
    const r = await readChannel(this.c.reader, {
      consumer,
      signer: consumer,
      provider: this.c.nodeAddress,
      modelId: 0n,
      versionId: 0n,
    })
    return r.deposit
  }

  /** Redeems every voucher this node holds above what was redeemed, in one transaction (one by one if it reverts). */
  settle(): Promise<SettleResult> {
    this.settling ??= redeemAll(this.provider, this.c.writer, this.log).finally(() => {
      this.settling = undefined
    })
    return this.settling
  }

  /** What this node served and consumed, and what it holds unredeemed. */
  usage(modelId?: string) {
    return {
      ...this.stats.totals(modelId),
      ...this.provider.outstanding(),
      undeliveredVouchers: this.outbox.pending(),
    }
  }

  private async deliver(peer: string, items: { voucher: VoucherWire; paid: Hex[] }[]) {
    if (peer === this.peerId || this.c.host === undefined) return this.provider.accept(items)
    return sendVouchers(this.c.host, peer, items)
  }

  private async claimUnpaid(olderThanMs: number): Promise<void> {
    for (const [gateway, receipts] of this.provider.claimable(olderThanMs)) {
      try {
        const answer =
          gateway === this.peerId || this.c.host === undefined
            ? this.gateway.claim(this.c.nodeAddress, receipts)
            : await sendClaim(this.c.host, gateway, receipts)
        await this.provider.accept(answer.vouchers.map((voucher) => ({ voucher, paid: [] })))
        this.provider.resolved(answer.resolved)
      } catch (err) {
        this.log.debug({ err, gateway }, 'claiming unpaid receipts failed; retrying later')
      }
    }
  }

  private async compact(): Promise<void> {
    if (this.gatewayJournal.size > 50_000) await this.gatewayJournal.compact(this.gateway.snapshot())
    if (this.providerJournal.size > 50_000) await this.providerJournal.compact(this.provider.snapshot())
  }

  private every(ms: number, f: () => Promise<void>): void {
    const t = setInterval(() => void f().catch((err) => this.log.warn({ err }, 'metering task failed')), ms)
    t.unref()
    this.timers.push(t)
  }

  private async signerFor(consumer: `0x${string}`): Promise<VoucherSigner | undefined> {
    const own = this.c.localKeys.get(consumer.toLowerCase())
    if (own !== undefined) return { address: consumer, privateKey: own }
    const ok = await this.isSigner(consumer, this.c.nodeAddress)
    return ok ? { address: this.c.nodeAddress, privateKey: this.c.nodeKey } : undefined
  }

  /** Whether `signer` signs for `consumer` on the escrow: a cached yes, or the chain's answer now. */
  private async isSigner(consumer: `0x${string}`, signer: `0x${string}`): Promise<boolean> {
    const read = () => isEscrowSigner(this.c.reader, { consumer, signer })
    return (await this.signers.get(`${consumer}:${signer}`, read)) || read()
  }

  private checkReceipt(
    raw: unknown,
    requestId: Hex,
    ch: { consumer: `0x${string}`; provider: `0x${string}`; modelId: string; versionId: string },
  ) {
    if (raw === undefined) return undefined
    const parsed = ReceiptWireSchema.safeParse(raw)
    if (!parsed.success || parsed.data.requestId.toLowerCase() !== requestId.toLowerCase()) return undefined
    const r = parsed.data
    const ok = verifyReceipt(this.c.domain, {
      receipt: {
        consumer: ch.consumer,
        provider: ch.provider,
        modelId: BigInt(ch.modelId),
        versionId: BigInt(ch.versionId),
        requestId,
        promptTokens: BigInt(r.promptTokens),
        completionTokens: BigInt(r.completionTokens),
        priceWei: r.priceWei,
      },
      signature: r.signature,
    })
    if (!ok)
      this.log.warn(
        { provider: ch.provider },
        'a provider sent a receipt that is not its signature; kept out',
      )
    return ok ? r : undefined
  }
}

/** Bytes of a task's prompt (the bound on its prompt tokens). */
function promptBytesOf(task: InferenceTask): number {
  const input = task.input
  if (input.kind === 'chat') return input.messages.reduce((n, m) => n + Buffer.byteLength(m.content), 0)
  return typeof input.prompt === 'string' ? Buffer.byteLength(input.prompt) : input.prompt.length
}
