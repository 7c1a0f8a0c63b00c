import type { ClientUpdate } from './client-update.ts'
import type { Tensor, TensorMap } from './tensor-map.ts'

/** What a strategy knows when it configures a round. */
export interface RoundInfo {
  readonly round: number
  /** Members asked to train this round. */
  readonly memberIds: readonly string[]
}

/** Instructions one member receives for a round; the trainer reads what it understands. */
export interface ClientConfig {
  readonly round: number
  readonly localEpochs?: number
  readonly learningRate?: number
  /** FedProx proximal term weight: the trainer adds (mu / 2) * ||w - w_global||^2 to its loss. */
  readonly proximalMu?: number
}

/** Server-side optimizer state carried from one round to the next (FedAdam's moments). */
export interface StrategyState {
  readonly step: number
  readonly m?: TensorMap
  readonly v?: TensorMap
}

/** Round metrics produced by aggregation. */
export interface AggregateMetrics {
  readonly numUpdates: number
  readonly totalExamples: number
  /** Members whose updates were used (Krum selects a subset; others use all). */
  readonly selected: readonly string[]
  /** Client metrics averaged with example weights over the selected members. */
  readonly clientMetrics: Readonly<Record<string, number>>
  readonly deltaNorm: number
}

/** The outcome of one aggregation. */
export interface AggregateResult {
  /** The new global model. */
  readonly global: Map<string, Tensor>
  /** The aggregated update (pseudo-gradient) the strategy applied. */
  readonly delta: Map<string, Tensor>
  readonly metrics: AggregateMetrics
  /** State to pass to the next `aggregate` call (only stateful strategies change it). */
  readonly state: StrategyState
}

/**
 * A federated aggregation rule, Flower-style: pure, no I/O. Updates are deltas (see ClientUpdate).
 * `aggregate` never mutates its inputs and throws a named error for an invalid update.
 * @example
 * const strategy = createStrategy({ kind: 'fedavg' })
 * const configs = strategy.configureRound({ round: 1, memberIds })
 * const { global: next, state } = strategy.aggregate(global, updates, previousState)
 */
export interface Strategy {
  readonly name: string
  configureRound(info: RoundInfo): Map<string, ClientConfig>
  aggregate(global: TensorMap, updates: readonly ClientUpdate[], state?: StrategyState): AggregateResult
}
