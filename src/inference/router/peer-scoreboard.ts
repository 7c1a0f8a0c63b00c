import { emptyMeasure, type PeerMeasure, recordFailure, recordSuccess } from './peer-score.ts'

/** Most peers measured at once (the least recently used is forgotten beyond it). */
const MAX_PEERS = 4096

/** The router's measurements of peers, kept by this node from what it observed. */
export class PeerScoreboard {
  private readonly measures = new Map<string, PeerMeasure>()

  get(peerId: string): PeerMeasure | undefined {
    return this.measures.get(peerId)
  }

  /**
   * Marks a generation started on the peer; call the returned function with the outcome (undefined when
   * it ended for a reason that says nothing of the peer, e.g. the client left). Calls after the first do nothing.
   */
  start(peerId: string): (outcome?: { ok: true; ms: number; tokens: number } | { ok: false }) => void {
    this.update(peerId, (m) => ({ ...m, inFlight: m.inFlight + 1 }))
    let done = false
    return (outcome) => {
      if (done) return
      done = true
      this.update(peerId, (m) => {
        const next = { ...m, inFlight: Math.max(0, m.inFlight - 1) }
        if (outcome === undefined) return next
        return outcome.ok ? recordSuccess(next, outcome.ms, outcome.tokens) : recordFailure(next)
      })
    }
  }

  private update(peerId: string, f: (m: PeerMeasure) => PeerMeasure): void {
    const m = this.measures.get(peerId) ?? emptyMeasure()
    this.measures.delete(peerId)
    this.measures.set(peerId, f(m))
    if (this.measures.size > MAX_PEERS) {
      const oldest = this.measures.keys().next().value
      if (oldest !== undefined) this.measures.delete(oldest)
    }
  }
}
