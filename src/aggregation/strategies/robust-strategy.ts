import type { ClientUpdate } from '../client-update.ts'
import type { AggregateResult, ClientConfig, RoundInfo, Strategy, StrategyState } from '../strategy.ts'
import { addScaled, type Tensor, type TensorMap } from '../tensor-map.ts'
import type { UpdateLimits } from '../validate-update.ts'
import { configsFor, roundMetrics } from './update-batch.ts'

/** Options shared by the robust rules. */
export interface RobustInit {
  readonly clientConfig?: Omit<ClientConfig, 'round'>
  readonly limits?: UpdateLimits
}

/**
 * Base of the robust rules: they compute a robust delta (ignoring example counts, which an attacker could
 * inflate) and apply it as new global = global + delta.
 */
export abstract class RobustStrategy implements Strategy {
  abstract readonly name: string
  protected readonly init: RobustInit

  constructor(init: RobustInit = {}) {
    this.init = init
  }

  configureRound(info: RoundInfo): Map<string, ClientConfig> {
    return configsFor(info, this.init.clientConfig ?? {})
  }

  /** The robust delta and the updates it drew on. */
  protected abstract robustDelta(
    global: TensorMap,
    updates: readonly ClientUpdate[],
  ): { delta: Map<string, Tensor>; selected: readonly ClientUpdate[] }

  aggregate(
    global: TensorMap,
    updates: readonly ClientUpdate[],
    state: StrategyState = { step: 0 },
  ): AggregateResult {
    const { delta, selected } = this.robustDelta(global, updates)
    return {
      global: addScaled(global, delta),
      delta,
      metrics: roundMetrics(updates, selected, delta),
      state: { ...state, step: state.step + 1 },
    }
  }
}
