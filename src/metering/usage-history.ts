import type { UsageTotals } from './usage-stats.ts'

/** The resolution the history keeps: one bucket per minute. */
export const HISTORY_MINUTE_MS = 60_000
/** Minutes kept per model and side (7 days); the oldest minute is dropped first. */
export const HISTORY_MAX_MINUTES = 7 * 24 * 60
/** Limits of a history query: bucket width (seconds, a whole number of minutes) and bucket count. */
export const HISTORY_LIMITS = { minBucketSeconds: 60, maxBucketSeconds: 86_400, maxBuckets: 240 } as const

/** One bucket of a history answer: what was served and consumed in [start, start + bucketSeconds). */
export interface UsageBucket {
  /** Unix seconds. */
  start: number
  served: UsageTotals
  consumed: UsageTotals
}

type Side = 'served' | 'consumed'

const zero = (): UsageTotals => ({ requests: 0, promptTokens: 0, completionTokens: 0, wei: 0n })

/**
 * Usage over time, per model, per minute: what this node served (its receipts) and what its consumers
 * spent through it (its vouchers). Fed live and from the journals' timestamps on start; memory is bounded
 * by models x HISTORY_MAX_MINUTES x 2. Pure: the caller passes the times.
 */
export class UsageHistory {
  private readonly minutes = { served: new Map<string, Map<number, UsageTotals>>(), consumed: new Map() }

  add(side: Side, modelId: string, atMs: number, p: number, c: number, wei: bigint): void {
    if (!Number.isFinite(atMs) || atMs <= 0) return // a compacted record has no time: it is not history
    let perModel = this.minutes[side].get(modelId)
    if (perModel === undefined) {
      perModel = new Map()
      this.minutes[side].set(modelId, perModel)
    }
    const minute = Math.floor(atMs / HISTORY_MINUTE_MS)
    let t = perModel.get(minute)
    if (t === undefined) {
      t = zero()
      perModel.set(minute, t)
      // Minutes arrive in time order (journal replay, then live), so the first key is the oldest.
      if (perModel.size > HISTORY_MAX_MINUTES) perModel.delete(perModel.keys().next().value as number)
    }
    t.requests++
    t.promptTokens += p
    t.completionTokens += c
    t.wei += wei
  }

  /**
   * `buckets` buckets of `bucketSeconds` each, oldest first, the last one holding `nowMs`; one model or all.
   * Bucket starts are aligned to multiples of the width (so two queries agree on the boundaries).
   */
  query(p: { modelId?: string; bucketSeconds: number; buckets: number; nowMs: number }): UsageBucket[] {
    const width = p.bucketSeconds * 1000
    const lastStart = Math.floor(p.nowMs / width) * width
    const firstStart = lastStart - (p.buckets - 1) * width
    const out: UsageBucket[] = Array.from({ length: p.buckets }, (_, i) => ({
      start: (firstStart + i * width) / 1000,
      served: zero(),
      consumed: zero(),
    }))
    for (const side of ['served', 'consumed'] as const) {
      for (const [model, perModel] of this.minutes[side] as Map<string, Map<number, UsageTotals>>) {
        if (p.modelId !== undefined && model !== p.modelId) continue
        for (const [minute, t] of perModel) {
          const i = Math.floor((minute * HISTORY_MINUTE_MS - firstStart) / width)
          if (i < 0 || i >= p.buckets) continue
          const b = out[i]![side]
          b.requests += t.requests
          b.promptTokens += t.promptTokens
          b.completionTokens += t.completionTokens
          b.wei += t.wei
        }
      }
    }
    return out
  }
}
