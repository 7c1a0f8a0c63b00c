import { ModelBusyError } from './errors.ts'
import { normalizeRoot } from './local-models.ts'

/** Options of the per-model admission queue. */
export interface ModelAdmissionInit {
  /** Requests of one model in progress or waiting at once; more are refused. */
  maxInFlight: number
  /** Retry-After hint (s) given with a refusal. */
  retryAfterSeconds: number
}

/**
 * Bounds the requests per model (content root): up to `maxInFlight` run or wait in the engine's FIFO,
 * and the next one is refused at once with ModelBusyError (HTTP 429 + Retry-After) rather than queued
 * without bound.
 */
export class ModelAdmission {
  /** Per model, the admitted requests in arrival order (the engine serves its queue first come first served). */
  private readonly inFlight = new Map<string, Set<object>>()

  constructor(private readonly init: ModelAdmissionInit) {}

  /** Takes a slot for the model or throws ModelBusyError; call the returned function exactly once to free it. */
  admit(contentRoot: string): () => void {
    return this.admitTicket(contentRoot).release
  }

  /**
   * Takes a slot like `admit`, and tells how many requests admitted earlier are still there: with the
   * engine's parallel sequences, where this one waits in its queue.
   */
  admitTicket(contentRoot: string): { release(): void; ahead(): number } {
    const key = normalizeRoot(contentRoot)
    const tickets = this.inFlight.get(key) ?? new Set<object>()
    if (tickets.size >= this.init.maxInFlight) {
      throw new ModelBusyError(
        `This node has ${tickets.size} requests in progress or waiting for the model, its limit; retry in ${this.init.retryAfterSeconds} s.`,
        this.init.retryAfterSeconds,
      )
    }
    const ticket = {}
    tickets.add(ticket)
    this.inFlight.set(key, tickets)
    return {
      release: () => {
        if (!tickets.delete(ticket)) return
        if (tickets.size === 0 && this.inFlight.get(key) === tickets) this.inFlight.delete(key)
      },
      ahead: () => {
        let n = 0
        for (const t of tickets) {
          if (t === ticket) return n
          n++
        }
        return 0
      },
    }
  }

  /** Requests of a model in progress or waiting. */
  count(contentRoot: string): number {
    return this.inFlight.get(normalizeRoot(contentRoot))?.size ?? 0
  }

  /** Requests per model admitted at once. */
  get capacity(): number {
    return this.init.maxInFlight
  }

  /** Load from 0 (idle) to 1 (every model at its limit): the busiest model's share of its slots. */
  load(): number {
    let max = 0
    for (const t of this.inFlight.values()) max = Math.max(max, t.size / this.init.maxInFlight)
    return Math.min(1, max)
  }
}
