import type { TensorMap } from './tensor-map.ts'

/**
 * What one member sends back after local training. `tensors` are deltas: local weights minus the
 * global weights of the round, with the global model's names and shapes.
 */
export interface ClientUpdate {
  readonly memberId: string
  readonly tensors: TensorMap
  /** Local examples seen; FedAvg-family strategies weight by it, robust ones ignore it. */
  readonly numExamples: number
  /** Training metrics (loss, accuracy...), averaged by example count into the round's metrics. */
  readonly metrics?: Readonly<Record<string, number>>
}
