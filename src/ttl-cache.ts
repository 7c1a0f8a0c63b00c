interface Entry<T> {
  value: Promise<T>
  until: number
  /** The last value a load gave (kept for `staleIf`). */
  last?: { value: T }
}

/**
 * A small cache of promises with a time to live and a bound on entries (oldest dropped first). Failed
 * reads are not kept, so a chain that was briefly unreachable is asked again on the next call. With
 * `staleIf`, a reload failing with such an error answers the last value read instead (and is retried
 * after another `ttlMs`): a node keeps serving what it knew while its chain is unreachable.
 */
export class TtlCache<T> {
  private readonly entries = new Map<string, Entry<T>>()

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
    private readonly staleIf?: (err: unknown) => boolean,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.now()
    const hit = this.entries.get(key)
    if (hit && hit.until > now) return hit.value
    const loaded = load()
    const entry: Entry<T> = { value: loaded, until: now + this.ttlMs, last: hit?.last }
    loaded.then(
      (value) => {
        entry.last = { value }
      },
      () => {},
    )
    const previous = hit?.last
    const staleIf = this.staleIf
    if (previous && staleIf) {
      entry.value = loaded.catch((err: unknown) => {
        if (!staleIf(err)) throw err
        return previous.value
      })
    }
    const value = entry.value
    this.entries.delete(key)
    this.entries.set(key, entry)
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
