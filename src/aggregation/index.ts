import { CoordinateMedian } from './strategies/coordinate-median.ts'
import { FedAdam } from './strategies/fedadam.ts'
import { FedAvg } from './strategies/fedavg.ts'
import { FedProx } from './strategies/fedprox.ts'
import { Krum } from './strategies/krum.ts'
import { TrimmedMean } from './strategies/trimmed-mean.ts'
import type { Strategy } from './strategy.ts'
import type { StrategyConfig } from './strategy-config.ts'

export type { ClientUpdate } from './client-update.ts'
export type { AggregateResult, ClientConfig, RoundInfo, Strategy, StrategyState } from './strategy.ts'
export type { StrategyConfig } from './strategy-config.ts'
export type { Tensor, TensorMap } from './tensor-map.ts'

/**
 * Builds the aggregation strategy a job names. Validate untrusted config with `strategyConfigSchema` first.
 * @example
 * const strategy = createStrategy({ kind: 'krum', f: 1, m: 3 })
 */
export function createStrategy(config: StrategyConfig): Strategy {
  switch (config.kind) {
    case 'fedavg':
      return new FedAvg(config)
    case 'fedprox':
      return new FedProx(config)
    case 'fedadam':
      return new FedAdam(config)
    case 'trimmed-mean':
      return new TrimmedMean(config)
    case 'coordinate-median':
      return new CoordinateMedian(config)
    case 'krum':
      return new Krum(config)
  }
}
