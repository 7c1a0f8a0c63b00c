/**
 * Pure chunk planner: which peer fetches which chunk. No I/O; the fetcher asks `next(peer)` whenever a
 * request slot of that peer is free and reports each outcome back.
 */
export class FetchPlan {
  /** Chunks waiting for a peer, in file order. */
  private readonly pending = new Set<number>()
  /** Chunk -> peer currently fetching it. */
  private readonly assigned = new Map<number, string>()
  private readonly completed = new Set<number>()
  /** Peer -> chunks it holds. */
  private readonly holdings = new Map<string, Set<number>>()
  /** Peer -> chunks that failed with it (never given to it again). */
  private readonly failures = new Map<string, Set<number>>()
  private readonly dropped = new Set<string>()
  private readonly inFlightByPeer = new Map<string, number>()

  constructor(
    chunks: Iterable<number>,
    private readonly maxInFlightPerPeer: number,
  ) {
    for (const c of chunks) this.pending.add(c)
  }

  /** Records which chunks a peer holds (from its `have` answer). */
  addPeer(peer: string, holds: Set<number>): void {
    this.holdings.set(peer, holds)
    this.dropped.delete(peer)
  }

  /** The next chunk for `peer`, or undefined when it has nothing to do right now (or its slots are full). */
  next(peer: string): number | undefined {
    if (this.dropped.has(peer)) return undefined
    const holds = this.holdings.get(peer)
    if (holds === undefined || (this.inFlightByPeer.get(peer) ?? 0) >= this.maxInFlightPerPeer)
      return undefined
    const failed = this.failures.get(peer)
    // Rarest first would spread load better on big swarms; with a handful of full replicas, file order
    // keeps each peer's requests spread across the pending range by interleaving.
    for (const chunk of this.pending) {
      if (!holds.has(chunk) || failed?.has(chunk) === true) continue
      this.pending.delete(chunk)
      this.assigned.set(chunk, peer)
      this.inFlightByPeer.set(peer, (this.inFlightByPeer.get(peer) ?? 0) + 1)
      return chunk
    }
    return undefined
  }

  /** The chunk arrived, verified, from `peer`. */
  succeed(chunk: number, peer: string): void {
    this.release(chunk, peer)
    this.pending.delete(chunk)
    this.completed.add(chunk)
  }

  /** The chunk failed with `peer`; it goes back to pending for the other peers. */
  fail(chunk: number, peer: string): void {
    this.release(chunk, peer)
    const failed = this.failures.get(peer) ?? new Set<number>()
    this.failures.set(peer, failed)
    failed.add(chunk)
    if (!this.completed.has(chunk) && !this.assigned.has(chunk)) this.pending.add(chunk)
  }

  /** Removes a peer from the plan; its chunks in flight go back to pending. */
  dropPeer(peer: string): void {
    this.dropped.add(peer)
    for (const [chunk, holder] of [...this.assigned]) {
      if (holder !== peer) continue
      this.assigned.delete(chunk)
      if (!this.completed.has(chunk)) this.pending.add(chunk)
    }
    this.inFlightByPeer.set(peer, 0)
  }

  /** True when every chunk completed. */
  get done(): boolean {
    return this.pending.size === 0 && this.assigned.size === 0
  }

  /** Number of chunks in flight over all peers. */
  get inFlight(): number {
    return this.assigned.size
  }

  /** True when some pending chunk could still be served by a live peer, now or after work in flight settles. */
  canProgress(): boolean {
    if (this.assigned.size > 0) return true
    for (const chunk of this.pending) if (this.servable(chunk)) return true
    return false
  }

  /** Pending chunks that no live peer can serve. */
  unservable(): number[] {
    return [...this.pending].filter((c) => !this.servable(c))
  }

  /** Live (not dropped) peers. */
  livePeers(): string[] {
    return [...this.holdings.keys()].filter((p) => !this.dropped.has(p))
  }

  private servable(chunk: number): boolean {
    for (const [peer, holds] of this.holdings) {
      if (this.dropped.has(peer) || !holds.has(chunk) || this.failures.get(peer)?.has(chunk) === true)
        continue
      return true
    }
    return false
  }

  private release(chunk: number, peer: string): void {
    if (this.assigned.get(chunk) !== peer) return
    this.assigned.delete(chunk)
    this.inFlightByPeer.set(peer, Math.max(0, (this.inFlightByPeer.get(peer) ?? 1) - 1))
  }
}
