import type { ClientUpdate } from '../client-update.ts'
import { coordinateMedian } from '../kernels/coordinate-order.ts'
import type { Tensor, TensorMap } from '../tensor-map.ts'
import { RobustStrategy } from './robust-strategy.ts'
import { checkBatch, perTensor } from './update-batch.ts'

/** Coordinate-wise median (Yin et al., ICML 2018): tolerates up to half minus one arbitrary updates per coordinate. */
export class CoordinateMedian extends RobustStrategy {
  readonly name = 'coordinate-median'

  protected robustDelta(global: TensorMap, updates: readonly ClientUpdate[]) {
    checkBatch(global, updates, this.init.limits ?? {}, true)
    const delta: Map<string, Tensor> = perTensor(global, updates, coordinateMedian)
    return { delta, selected: updates }
  }
}
