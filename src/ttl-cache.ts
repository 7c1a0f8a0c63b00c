/**
 * A small cache of promises with a time to live and a bound on entries (oldest dropped first). Failed
 * reads are not kept, so a chain that was briefly unreachable is asked again on the next call.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; until: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now()
    const hit = this.entries.get(key)
    if (hit && hit.until > now) return hit.value
    const value = load()
    this.entries.delete(key)
    this.entries.set(key, { value, until: now + this.ttlMs })
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key)
    })
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value
      if (oldest !== undefined) this.entries.delete(oldest)
    }
    return value
  }
}
