/**
 * Per-key fixed-rate limiter (a token bucket refilled at `perMinute` per minute, holding at most one
 * minute's worth). Keys come from callers, so the map is bounded: beyond `maxKeys`, the key seen least
 * recently is forgotten (it starts again with a full bucket, which errs on the caller's side, never
 * on memory). O(1) per call.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from `key`'s bucket; returns 0 when allowed, else the seconds until one is. */
  take(key: string, perMinute: number): number {
    if (perMinute <= 0) return 0
    const now = this.now()
    const ratePerMs = perMinute / 60_000
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, at: now }
    this.buckets.delete(key) // re-inserted below: the map's order is least recently seen first
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * ratePerMs)
    bucket.at = now
    let wait = 0
    if (bucket.tokens >= 1) bucket.tokens -= 1
    else wait = Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000))
    this.buckets.set(key, bucket)
    if (this.buckets.size > this.maxKeys) {
      const oldest = this.buckets.keys().next().value
      if (oldest !== undefined) this.buckets.delete(oldest)
    }
    return wait
  }

  get size(): number {
    return this.buckets.size
  }
}
