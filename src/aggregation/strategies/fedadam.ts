import type { ClientUpdate } from '../client-update.ts'
import { FEDADAM_DEFAULTS } from '../constants.ts'
import { InvalidStrategyConfigError } from '../errors.ts'
import type { AggregateResult, ClientConfig, RoundInfo, Strategy, StrategyState } from '../strategy.ts'
import type { Tensor, TensorMap } from '../tensor-map.ts'
import { type FedAvgInit, fedAvgDelta } from './fedavg.ts'
import { configsFor, roundMetrics } from './update-batch.ts'

/** Options of FedAdam; defaults are FEDADAM_DEFAULTS. */
export interface FedAdamInit extends FedAvgInit {
  /** Server learning rate. */
  readonly eta?: number
  readonly beta1?: number
  readonly beta2?: number
  /** Adaptivity: added to sqrt(v); larger is closer to server SGD. */
  readonly tau?: number
}

/**
 * FedAdam (Reddi et al., "Adaptive Federated Optimization", ICLR 2021, Algorithm 2): the example-weighted
 * mean delta is a pseudo-gradient fed to a server Adam without bias correction:
 * m = b1 m + (1 - b1) d; v = b2 v + (1 - b2) d^2; x = x + eta m / (sqrt(v) + tau). Moments live in the
 * returned state; pass it back next round.
 */
export class FedAdam implements Strategy {
  readonly name = 'fedadam'
  private readonly init: FedAdamInit
  private readonly eta: number
  private readonly beta1: number
  private readonly beta2: number
  private readonly tau: number

  constructor(init: FedAdamInit = {}) {
    this.init = init
    this.eta = init.eta ?? FEDADAM_DEFAULTS.eta
    this.beta1 = init.beta1 ?? FEDADAM_DEFAULTS.beta1
    this.beta2 = init.beta2 ?? FEDADAM_DEFAULTS.beta2
    this.tau = init.tau ?? FEDADAM_DEFAULTS.tau
    for (const [k, v] of Object.entries({ beta1: this.beta1, beta2: this.beta2 })) {
      if (!(v >= 0 && v < 1))
        throw new InvalidStrategyConfigError(`FedAdam ${k} must be in [0, 1), got ${v}.`)
    }
    if (!(this.eta > 0) || !(this.tau > 0)) {
      throw new InvalidStrategyConfigError(
        `FedAdam eta and tau must be > 0, got eta=${this.eta} tau=${this.tau}.`,
      )
    }
  }

  configureRound(info: RoundInfo): Map<string, ClientConfig> {
    return configsFor(info, this.init.clientConfig ?? {})
  }

  aggregate(
    global: TensorMap,
    updates: readonly ClientUpdate[],
    state: StrategyState = { step: 0 },
  ): AggregateResult {
    const delta = fedAvgDelta(global, updates, this.init.limits)
    const { eta, beta1, beta2, tau } = this
    const next = new Map<string, Tensor>()
    const m = new Map<string, Tensor>()
    const v = new Map<string, Tensor>()
    for (const [name, g] of global) {
      const d = delta.get(name)!.data
      const m0 = state.m?.get(name)?.data
      const v0 = state.v?.get(name)?.data
      const x = g.data
      const mo = new Float32Array(d.length)
      const vo = new Float32Array(d.length)
      const xo = new Float32Array(d.length)
      for (let i = 0; i < d.length; i++) {
        const di = d[i]!
        const mi = beta1 * (m0 === undefined ? 0 : m0[i]!) + (1 - beta1) * di
        const vi = beta2 * (v0 === undefined ? 0 : v0[i]!) + (1 - beta2) * di * di
        mo[i] = mi
        vo[i] = vi
        xo[i] = x[i]! + (eta * mi) / (Math.sqrt(vi) + tau)
      }
      m.set(name, { shape: g.shape, data: mo })
      v.set(name, { shape: g.shape, data: vo })
      next.set(name, { shape: g.shape, data: xo })
    }
    return {
      global: next,
      delta,
      metrics: roundMetrics(updates, updates, delta),
      state: { step: state.step + 1, m, v },
    }
  }
}
