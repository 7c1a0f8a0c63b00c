import type { LlamaModelConfig } from './index.ts'

/** The built-in trainer's default model: about 0.92 M parameters on the 260-token byte vocabulary. */
export const DEFAULT_MODEL_CONFIG: LlamaModelConfig = {
  vocabSize: 260,
  nEmbd: 128,
  nLayer: 4,
  nHead: 4,
  nFf: 384,
  contextLength: 512,
  ropeFreqBase: 10000,
  rmsNormEps: 1e-5,
  tiedOutput: false,
}

/** Standard deviation of the normal init of weight matrices (GPT-2/llama practice). */
export const INIT_STD = 0.02

/** Adam hyper-parameters used by every `train()` call (a fresh optimizer per call, as in FedAvg/FedProx). */
export const ADAM = { beta1: 0.9, beta2: 0.99, epsilon: 1e-8 } as const

/** Gradients are clipped to this global L2 norm before each Adam step. */
export const GRAD_CLIP_NORM = 1.0

/** Default window length and batch size of `evaluate()`. */
export const DEFAULT_EVAL = { seqLen: 128, batchSize: 16, maxWindows: 256 } as const

/** Added to masked (future) attention scores before the softmax. */
export const MASK_VALUE = -1e9
