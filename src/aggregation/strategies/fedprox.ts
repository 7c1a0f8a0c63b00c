import { InvalidStrategyConfigError } from '../errors.ts'
import type { ClientConfig, RoundInfo } from '../strategy.ts'
import { FedAvg, type FedAvgInit } from './fedavg.ts'

/** Options of FedProx. */
export interface FedProxInit extends FedAvgInit {
  /** Weight of the proximal term (Li et al. 2020 use 0.001..1). */
  readonly proximalMu: number
}

/**
 * FedProx (Li et al., "Federated Optimization in Heterogeneous Networks", 2020): FedAvg aggregation;
 * the difference is on the client, which minimizes loss + (mu / 2) * ||w - w_global||^2.
 */
export class FedProx extends FedAvg {
  override readonly name = 'fedprox'
  readonly proximalMu: number

  constructor(init: FedProxInit) {
    super(init)
    if (!(init.proximalMu >= 0) || !Number.isFinite(init.proximalMu)) {
      throw new InvalidStrategyConfigError(
        `FedProx proximalMu must be a finite number >= 0, got ${init.proximalMu}.`,
      )
    }
    this.proximalMu = init.proximalMu
  }

  override configureRound(info: RoundInfo): Map<string, ClientConfig> {
    const out = new Map<string, ClientConfig>()
    for (const [id, c] of super.configureRound(info)) out.set(id, { ...c, proximalMu: this.proximalMu })
    return out
  }
}
