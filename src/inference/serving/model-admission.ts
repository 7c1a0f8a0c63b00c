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
  private readonly inFlight = new Map<string, number>()

  constructor(private readonly init: ModelAdmissionInit) {}

  /** Takes a slot for the model or throws ModelBusyError; call the returned function exactly once to free it. */
  admit(contentRoot: string): () => void {
    const key = normalizeRoot(contentRoot)
    const n = this.inFlight.get(key) ?? 0
    if (n >= this.init.maxInFlight) {
      throw new ModelBusyError(
        `This node has ${n} requests in progress or waiting for the model, its limit; retry in ${this.init.retryAfterSeconds} s.`,
        this.init.retryAfterSeconds,
      )
    }
    this.inFlight.set(key, n + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.inFlight.get(key) ?? 1) - 1
      if (left <= 0) this.inFlight.delete(key)
      else this.inFlight.set(key, left)
    }
  }

  /** Requests of a model in progress or waiting. */
  count(contentRoot: string): number {
    return this.inFlight.get(normalizeRoot(contentRoot)) ?? 0
  }

  /** Requests per model admitted at once. */
  get capacity(): number {
    return this.init.maxInFlight
  }

  /** Load from 0 (idle) to 1 (every model at its limit): the busiest model's share of its slots. */
  load(): number {
    let max = 0
    for (const n of this.inFlight.values()) max = Math.max(max, n / this.init.maxInFlight)
    return Math.min(1, max)
  }
}
