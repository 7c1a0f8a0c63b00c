/**
 * Local training for federated rounds. A `Trainer` loads the global weights (a `TensorMap` keyed by GGUF
 * tensor names, GGUF shapes, GGUF data layout), trains on a member's local data, and returns the new
 * weights, the number of examples and metrics. Two implementations: the built-in byte-level llama trainer
 * in TensorFlow.js on the WASM backend (`createTfjsTrainer`), and `createSubprocessTrainer`, which drives
 * an external trainer (e.g. PyTorch) over the newline-delimited JSON protocol in docs/trainer.md.
 */

import type { TensorMap } from '../aggregation/index.ts'
import type { Logger } from '../log.ts'
import type { ProgressEvent } from '../progress.ts'
import { BUNDLED_CORPUS_PATH } from './data/constants.ts'
import { loadCorpus } from './data/corpus-loader.ts'
import { partitionCorpus, splitCorpus } from './data/corpus-split.ts'
import { datasetManifest } from './data/dataset-manifest.ts'
import { CorpusNotFoundError, CorpusTooSmallError } from './data/errors.ts'
import type { TokenDataset } from './data/index.ts'
import { toTokenDataset } from './data/token-dataset.ts'
import { writeGgufParams } from './gguf-export.ts'
import { readGgufParams } from './gguf-import.ts'
import { runLocalRound } from './local-round.ts'
import { countParams } from './param-layout.ts'
import { SubprocessTrainer } from './subprocess-trainer.ts'

export type { DatasetManifest } from './data/dataset-manifest.ts'
export type { CorpusProgressEvent, TextCorpus, TokenDataset } from './data/index.ts'
export type { LocalRoundConfig, LocalRoundOptions, LocalRoundResult } from './local-round.ts'
export {
  BUNDLED_CORPUS_PATH,
  CorpusNotFoundError,
  CorpusTooSmallError,
  countParams,
  datasetManifest,
  loadCorpus,
  partitionCorpus,
  readGgufParams,
  runLocalRound,
  splitCorpus,
  toTokenDataset,
  writeGgufParams,
}

/** Hyper-parameters of a llama-architecture model with the byte vocabulary. */
export interface LlamaModelConfig {
  /** Vocabulary size (260 for the byte vocabulary). */
  vocabSize: number
  /** Embedding width (`llama.embedding_length`). */
  nEmbd: number
  /** Transformer blocks (`llama.block_count`). */
  nLayer: number
  /** Attention heads; key/value heads are the same (no GQA). */
  nHead: number
  /** Feed-forward width (`llama.feed_forward_length`). */
  nFf: number
  /** Longest context the model is meant for (`llama.context_length`). */
  contextLength: number
  /** RoPE base frequency (`llama.rope.freq_base`). */
  ropeFreqBase: number
  /** RMSNorm epsilon (`llama.attention.layer_norm_rms_epsilon`). */
  rmsNormEps: number
  /** Output projection shares `token_embd.weight` (no `output.weight` tensor). */
  tiedOutput: boolean
}

/** Progress of `train()`: one event per optimizer step. */
export type TrainerProgressEvent = ProgressEvent<
  'training:step:completed',
  { step: number; steps: number; loss: number; tokensPerSecond: number }
>

/** Options of `Trainer.train`. */
export interface TrainOptions {
  /** The member's local training data. */
  data: TokenDataset
  /** Optimizer steps. */
  steps: number
  /** Windows per step. */
  batchSize: number
  /** Tokens per window (each window predicts `seqLen` next tokens from `seqLen + 1` ids). */
  seqLen: number
  /** Adam learning rate. */
  learningRate: number
  /** FedProx μ: adds μ/2 · ‖w − w_global‖² to the loss, w_global being the params at the start of `train`. */
  proximalMu?: number
  /** Seed of the window sampler (default 0), so a round is reproducible. */
  seed?: number
  signal?: AbortSignal
  onProgress?: (event: TrainerProgressEvent) => void
}

/** Training metrics; `loss` is the mean training loss of the last steps (nats per token). */
export interface TrainMetrics {
  loss: number
  /** Loss of the first step (NaN when an external trainer reports no progress). */
  initialLoss: number
  steps: number
  tokens: number
  seconds: number
  tokensPerSecond: number
  [name: string]: number
}

/** What `train()` returns. */
export interface TrainResult {
  /** The NEW weights after local training (not a delta), every tensor, keyed by GGUF name. */
  update: TensorMap
  /** Always `weights`: aggregators compute deltas as `update − global` when they need them. */
  updateKind: 'weights'
  /** Size of the local dataset in windows of `seqLen + 1` tokens: FedAvg's weight for this member. */
  numExamples: number
  metrics: TrainMetrics
}

/** Options of `Trainer.evaluate`. */
export interface EvaluateOptions {
  /** Window length (default 128). */
  seqLen?: number
  /** Windows per forward pass (default 16). */
  batchSize?: number
  /** At most this many evenly spaced windows are scored (default 256). */
  maxWindows?: number
  signal?: AbortSignal
}

/** What `evaluate()` returns: mean next-token cross-entropy in nats per token. */
export interface EvaluateResult {
  loss: number
  tokens: number
}

/** A local trainer: load the global params, train on local data, return the new weights. */
export interface Trainer {
  /** Replaces the model's weights (all tensors of the model must be present, with the model's shapes). */
  loadParams(params: TensorMap): Promise<void>
  /** The current weights (copies). */
  getParams(): Promise<TensorMap>
  /** Trains from the current params; the params stay at the trained values afterwards. */
  train(options: TrainOptions): Promise<TrainResult>
  /** Held-out loss of the current params. */
  evaluate(data: TokenDataset, options?: EvaluateOptions): Promise<EvaluateResult>
  /** Writes the current params as a GGUF file llama.cpp can serve. */
  exportGguf(path: string, options?: { signal?: AbortSignal }): Promise<void>
  /** Releases native memory or the subprocess; idempotent. */
  dispose(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** The built-in trainer also exposes its forward pass, for checks against llama.cpp. */
export interface TfjsLlamaTrainer extends Trainer {
  readonly config: LlamaModelConfig
  /** Logits of every position for one token sequence: `tokens.length × vocabSize`, row-major. */
  logits(tokens: ArrayLike<number>): Promise<Float32Array>
}

/** Options of `createTfjsTrainer`. */
export interface TfjsTrainerInit {
  /** Model shape; defaults to DEFAULT_MODEL_CONFIG (≈0.92 M params). */
  config?: Partial<LlamaModelConfig>
  /** Seed of the deterministic init (default 0). */
  seed?: number
  /** TensorFlow.js backend (default `wasm`; `cpu` is the slow pure-JS baseline). */
  backend?: 'wasm' | 'cpu'
}

/** What a trainer needs from the node. */
export interface TrainerComponents {
  log?: Logger
}

/**
 * The built-in byte-level llama trainer (TensorFlow.js, WASM backend), initialised from `seed`.
 * TensorFlow.js is loaded on the first call, not when this module is imported.
 * @example
 * await using trainer = await createTfjsTrainer({ seed: 1 })
 * const { update, numExamples } = await trainer.train({ data, steps: 20, batchSize: 16, seqLen: 128, learningRate: 3e-3 })
 */
export async function createTfjsTrainer(
  init: TfjsTrainerInit = {},
  components: TrainerComponents = {},
): Promise<TfjsLlamaTrainer> {
  const { TfjsTrainer } = await import('./tfjs-trainer.ts')
  return TfjsTrainer.create(init, components)
}

/** Options of `createSubprocessTrainer`. */
export interface SubprocessTrainerInit {
  /** Executable, e.g. `python3`. */
  command: string
  /** Its arguments, e.g. `['train.py']`. */
  args?: string[]
  /** Working directory of the process. */
  cwd?: string
  env?: NodeJS.ProcessEnv
  /** Milliseconds to wait for any one reply before failing (default 10 minutes). */
  timeoutMs?: number
}

/**
 * A trainer that runs in another process (see docs/trainer.md): the process reads JSON requests on stdin,
 * writes JSON replies on stdout, and exchanges tensors as GGUF files in a temp dir.
 * @example
 * await using trainer = await createSubprocessTrainer({ command: 'python3', args: ['train.py'] })
 */
export async function createSubprocessTrainer(
  init: SubprocessTrainerInit,
  components: TrainerComponents = {},
): Promise<Trainer> {
  return SubprocessTrainer.start(init, components)
}
