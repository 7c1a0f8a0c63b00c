/**
 * Federated rounds over the network: a job spec (job-spec.ts), the `/commons/fl/1.0.0` round protocol
 * (round-coordinator.ts, round-participant.ts, messages.ts), job state persistence (job-state.ts), the
 * job driver with on-chain commits and the final proposal (job-coordinator.ts), and the node-facing
 * `TrainingService` (training-service.ts). See docs/federated-rounds.md.
 */
import {
  TrainingService,
  type TrainingServiceComponents,
  type TrainingServiceInit,
} from './training-service.ts'

export type { TrainingJobSpec, TrainingJobSpecInput } from './job-spec.ts'
export type { RoundProgressEvent } from './progress.ts'
export type {
  TrainingHost,
  TrainingJobStatus,
  TrainingServiceComponents,
  TrainingServiceInit,
} from './training-service.ts'

/**
 * Creates the node's training service (call start() to answer rounds).
 * @example const training = createTrainingService({ host, chain, createTrainer, log }, { dir: join(dataDir, 'training') })
 */
export function createTrainingService(
  components: TrainingServiceComponents,
  init: TrainingServiceInit,
): TrainingService {
  return new TrainingService(components, init)
}
