import type { ClientUpdate } from '../client-update.ts'
import { weightedSum } from '../kernels/weighted-sum.ts'
import type { AggregateResult, ClientConfig, RoundInfo, Strategy, StrategyState } from '../strategy.ts'
import { addScaled, type Tensor, type TensorMap } from '../tensor-map.ts'
import type { UpdateLimits } from '../validate-update.ts'
import { assertFiniteResult, checkBatch, configsFor, perTensor, roundMetrics } from './update-batch.ts'

/** Options of FedAvg and the strategies built on it. */
export interface FedAvgInit {
  /** Sent to every member each round (epochs, learning rate). */
  readonly clientConfig?: Omit<ClientConfig, 'round'>
  readonly limits?: UpdateLimits
}

/**
 * The example-weighted mean of the updates' deltas (McMahan et al. 2017), checked and validated.
 * @example
 * const delta = fedAvgDelta(global, updates)
 */
export function fedAvgDelta(
  global: TensorMap,
  updates: readonly ClientUpdate[],
  limits: UpdateLimits = {},
): Map<string, Tensor> {
  checkBatch(global, updates, limits, false)
  const total = updates.reduce((s, u) => s + u.numExamples, 0)
  const weights = updates.map((u) => u.numExamples / total)
  const delta = perTensor(global, updates, (inputs, out) => weightedSum(inputs, weights, out))
  assertFiniteResult(delta, updates)
  return delta
}

/** Federated averaging: new global = global + example-weighted mean of the deltas. */
export class FedAvg implements Strategy {
  readonly name: string = 'fedavg'
  protected readonly init: FedAvgInit

  constructor(init: FedAvgInit = {}) {
    this.init = init
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
    return {
      global: addScaled(global, delta),
      delta,
      metrics: roundMetrics(updates, updates, delta),
      state: { ...state, step: state.step + 1 },
    }
  }
}
