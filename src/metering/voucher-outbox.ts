import type { Hex } from 'viem'
import type { Logger } from '../log.ts'
import { channelKey, type VoucherWire } from './records.ts'

type Item = { voucher: VoucherWire; paid: Hex[] }

/**
 * Vouchers waiting to reach their provider, newest per channel (a cumulative voucher replaces the ones
 * before it; the request ids it pays for accumulate). Sends as soon as it can, one frame per provider
 * for everything pending, and retries with backoff while a provider is unreachable.
 */
export class VoucherOutbox {
  private readonly queued = new Map<string, Map<string, Item>>()
  private readonly busy = new Set<string>()
  private readonly backoff = new Map<string, number>()
  private readonly timers = new Set<NodeJS.Timeout>()
  private closed = false

  constructor(
    private readonly c: {
      send(peer: string, items: Item[]): Promise<{ accepted: number; refused: number }>
      delivered(voucher: VoucherWire): void
      log: Logger
    },
  ) {}

  add(peer: string, voucher: VoucherWire, paid: Hex[] = []): void {
    if (peer === '') return
    let channels = this.queued.get(peer)
    if (channels === undefined) {
      channels = new Map()
      this.queued.set(peer, channels)
    }
    const key = channelKey(voucher.channel)
    const held = channels.get(key)
    if (held === undefined) channels.set(key, { voucher, paid: [...paid] })
    else if (voucher.cumulativeAmount >= held.voucher.cumulativeAmount) {
      held.voucher = voucher
      held.paid.push(...paid)
    }
    this.kick(peer)
  }

  /** Vouchers not yet delivered (for status). */
  pending(): number {
    let n = 0
    for (const m of this.queued.values()) n += m.size
    return n
  }

  close(): void {
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  private kick(peer: string): void {
    if (this.closed || this.busy.has(peer)) return
    this.busy.add(peer)
    setImmediate(() => void this.flush(peer))
  }

  private async flush(peer: string): Promise<void> {
    const channels = this.queued.get(peer)
    this.queued.delete(peer)
    const items = channels === undefined ? [] : [...channels.values()]
    if (items.length === 0 || this.closed) {
      this.busy.delete(peer)
      return
    }
    try {
      const r = await this.c.send(peer, items.slice(0, 1_000))
      if (r.refused > 0) this.c.log.warn({ peer, refused: r.refused }, 'a provider refused vouchers')
      for (const it of items.slice(0, 1_000)) this.c.delivered(it.voucher)
      for (const it of items.slice(1_000)) this.add(peer, it.voucher, it.paid)
      this.backoff.delete(peer)
      this.busy.delete(peer)
      if (this.queued.has(peer)) this.kick(peer)
    } catch (err) {
      // Put them back (newer ones queued meanwhile win) and retry later.
      for (const it of items) this.requeue(peer, it)
      const wait = Math.min(30_000, (this.backoff.get(peer) ?? 500) * 2)
      this.backoff.set(peer, wait)
      this.c.log.debug({ err, peer, retryInMs: wait }, 'voucher delivery failed; retrying')
      const t = setTimeout(() => {
        this.timers.delete(t)
        this.busy.delete(peer)
        this.kick(peer)
      }, wait)
      t.unref()
      this.timers.add(t)
    }
  }

  private requeue(peer: string, it: Item): void {
    let channels = this.queued.get(peer)
    if (channels === undefined) {
      channels = new Map()
      this.queued.set(peer, channels)
    }
    const key = channelKey(it.voucher.channel)
    const held = channels.get(key)
    if (held === undefined) channels.set(key, it)
    else held.paid.push(...it.paid)
  }
}
