import type { TensorMap } from '../aggregation/index.ts'
import { throwIfAborted } from '../errors.ts'
import type { TokenDataset } from './data/index.ts'
import type { EvaluateResult, Trainer, TrainerProgressEvent, TrainResult } from './index.ts'

/** Hyper-parameters a round's configuration sends to each participant. */
export interface LocalRoundConfig {
  steps: number
  batchSize: number
  seqLen: number
  learningRate: number
  /** FedProx μ (0 or absent: plain FedAvg local training). */
  proximalMu?: number
}

/** Options of `runLocalRound`. */
export interface LocalRoundOptions {
  /** The round's global model. */
  globalParams: TensorMap
  /** This member's training shard. */
  data: TokenDataset
  config: LocalRoundConfig
  /** Round number: seeds the batch order so a round is reproducible. */
  round?: number
  /** This member's held-out data; when given, the trained model's loss on it is reported. */
  heldOut?: TokenDataset
  signal?: AbortSignal
  onProgress?: (event: TrainerProgressEvent) => void
}

/** A participant's answer to a round: the trainer's result plus the optional held-out loss. */
export interface LocalRoundResult extends TrainResult {
  heldOut?: EvaluateResult
}

/**
 * One participant's local work in a federated round: load the global params, train on the local shard,
 * and return the new weights with the example count FedAvg weights them by.
 * @example
 * const result = await runLocalRound({ trainer }, { globalParams, data: shard, config: { steps: 20, batchSize: 16, seqLen: 128, learningRate: 3e-3 }, round: 1 })
 */
export async function runLocalRound(
  c: { trainer: Trainer },
  options: LocalRoundOptions,
): Promise<LocalRoundResult> {
  throwIfAborted(options.signal)
  await c.trainer.loadParams(options.globalParams)
  const result = await c.trainer.train({
    data: options.data,
    ...options.config,
    seed: options.round ?? 0,
    signal: options.signal,
    onProgress: options.onProgress,
  })
  if (options.heldOut === undefined) return result
  const heldOut = await c.trainer.evaluate(options.heldOut, {
    seqLen: options.config.seqLen,
    signal: options.signal,
  })
  return { ...result, heldOut }
}
