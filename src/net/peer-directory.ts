import type { Announcement } from './announcement.ts'
import { ANNOUNCEMENT_MAX_AGE_MS } from './constants.ts'

/** What the directory knows about one peer. */
export interface PeerEntry {
  peerId: string
  announcement: Announcement
  /** Local time the latest announcement arrived. */
  receivedAt: number
  /** Last measured round-trip time (ms), if any. */
  latencyMs: number | undefined
  /** Misbehaviour penalty (higher is worse); sorts the peer last. */
  penalty: number
}

/** Options of the directory. */
export interface PeerDirectoryInit {
  /** Entries not refreshed for this long are ignored and pruned (ms). */
  maxAgeMs: number
}

/**
 * The latest valid announcement of every peer, queryable by content root and by model version.
 * Pure state: the announcement service feeds it; fetch and routing query it.
 */
export class PeerDirectory {
  private readonly entries = new Map<string, PeerEntry>()

  constructor(private readonly init: PeerDirectoryInit = { maxAgeMs: ANNOUNCEMENT_MAX_AGE_MS }) {}

  /** Keeps `a` if it is newer (higher seqno) than what we hold for that peer; returns whether it was kept. */
  upsert(a: Announcement, now = Date.now()): boolean {
    const current = this.entries.get(a.peerId)
    if (current !== undefined && current.announcement.seqno >= a.seqno) return false
    this.entries.set(a.peerId, {
      peerId: a.peerId,
      announcement: a,
      receivedAt: now,
      latencyMs: current?.latencyMs,
      penalty: current?.penalty ?? 0,
    })
    return true
  }

  /** Forgets a peer (e.g. de-registered). */
  remove(peerId: string): void {
    this.entries.delete(peerId)
  }

  /** Records a round-trip time measurement. */
  setLatency(peerId: string, ms: number): void {
    const e = this.entries.get(peerId)
    if (e !== undefined) e.latencyMs = ms
  }

  /** Lowers a peer's standing (e.g. it served a bad chunk): it sorts after well-behaved peers. */
  penalize(peerId: string, amount = 1): void {
    const e = this.entries.get(peerId)
    if (e !== undefined) e.penalty += amount
  }

  /** The entry of a peer, if fresh. */
  get(peerId: string, now = Date.now()): PeerEntry | undefined {
    const e = this.entries.get(peerId)
    return e !== undefined && this.fresh(e, now) ? e : undefined
  }

  /** Fresh entries, best first (penalty, then load, then latency). */
  all(now = Date.now()): PeerEntry[] {
    return [...this.entries.values()].filter((e) => this.fresh(e, now)).sort(compareEntries)
  }

  /** Peers that announced holding content `root`, best first. */
  holdersOf(root: string, now = Date.now()): PeerEntry[] {
    return this.all(now).filter((e) => e.announcement.roots.includes(root))
  }

  /** Peers that serve `model` at `version`, best first. */
  servingModel(model: string, version: string, now = Date.now()): PeerEntry[] {
    return this.all(now).filter((e) =>
      e.announcement.serves.some((s) => s.model === model && s.version === version),
    )
  }

  /** Drops entries older than maxAgeMs; returns how many. */
  prune(now = Date.now()): number {
    let n = 0
    for (const [id, e] of this.entries) {
      if (!this.fresh(e, now)) {
        this.entries.delete(id)
        n++
      }
    }
    return n
  }

  private fresh(e: PeerEntry, now: number): boolean {
    return now - e.receivedAt <= this.init.maxAgeMs
  }
}

function compareEntries(a: PeerEntry, b: PeerEntry): number {
  return (
    a.penalty - b.penalty ||
    a.announcement.load - b.announcement.load ||
    (a.latencyMs ?? Number.POSITIVE_INFINITY) - (b.latencyMs ?? Number.POSITIVE_INFINITY) ||
    a.peerId.localeCompare(b.peerId)
  )
}
