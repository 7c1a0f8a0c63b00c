import type { ClientUpdate } from '../client-update.ts'
import { InvalidStrategyConfigError, NotEnoughUpdatesError } from '../errors.ts'
import { coordinateTrimmedMean } from '../kernels/coordinate-order.ts'
import type { Tensor, TensorMap } from '../tensor-map.ts'
import { type RobustInit, RobustStrategy } from './robust-strategy.ts'
import { checkBatch, perTensor } from './update-batch.ts'

/** Options of the trimmed mean. */
export interface TrimmedMeanInit extends RobustInit {
  /** Fraction trimmed at each end per coordinate, in [0, 0.5). */
  readonly beta: number
}

/**
 * Coordinate-wise trimmed mean (Yin et al., "Byzantine-Robust Distributed Learning", ICML 2018): per
 * coordinate, drop the floor(beta * n) smallest and largest values and average the rest.
 */
export class TrimmedMean extends RobustStrategy {
  readonly name = 'trimmed-mean'
  readonly beta: number

  constructor(init: TrimmedMeanInit) {
    super(init)
    if (!(init.beta >= 0 && init.beta < 0.5)) {
      throw new InvalidStrategyConfigError(`Trimmed mean beta must be in [0, 0.5), got ${init.beta}.`)
    }
    this.beta = init.beta
  }

  protected robustDelta(global: TensorMap, updates: readonly ClientUpdate[]) {
    checkBatch(global, updates, this.init.limits ?? {}, true)
    const trim = Math.floor(this.beta * updates.length)
    if (updates.length - 2 * trim < 1) {
      throw new NotEnoughUpdatesError(
        `Trimmed mean with beta=${this.beta} keeps nothing of ${updates.length} updates.`,
      )
    }
    const delta: Map<string, Tensor> = perTensor(global, updates, (inputs, out) =>
      coordinateTrimmedMean(inputs, trim, out),
    )
    return { delta, selected: updates }
  }
}
