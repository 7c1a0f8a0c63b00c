import * as tf from '@tensorflow/tfjs'
import type { Tensor, TensorMap } from '../aggregation/index.ts'
import { InvalidInputError, throwIfAborted } from '../errors.ts'
import { type Logger, silentLogger } from '../log.ts'
import { ADAM, DEFAULT_EVAL, DEFAULT_MODEL_CONFIG, GRAD_CLIP_NORM } from './constants.ts'
import type { TokenDataset } from './data/index.ts'
import { splitSequences, WindowSampler } from './data/token-dataset.ts'
import { TrainerDisposedError, UnsupportedModelError } from './errors.ts'
import { writeGgufParams } from './gguf-export.ts'
import type {
  EvaluateOptions,
  EvaluateResult,
  LlamaModelConfig,
  TfjsLlamaTrainer,
  TfjsTrainerInit,
  TrainerComponents,
  TrainOptions,
  TrainResult,
} from './index.ts'
import {
  createGraphConstants,
  disposeGraphConstants,
  forwardLogits,
  type GraphConstants,
  type GraphWeights,
  windowLoss,
} from './llama-graph.ts'
import { checkParams, initParams, type ParamSpec, paramShapes } from './param-layout.ts'
import { initTfjsBackend } from './tfjs-backend.ts'

let instances = 0

/** The built-in byte-level llama trainer: TensorFlow.js graph, Adam, optional FedProx term. */
export class TfjsTrainer implements TfjsLlamaTrainer {
  private readonly weights: GraphWeights = new Map()
  private readonly specs: ParamSpec[]
  private readonly constants = new Map<number, GraphConstants>()
  private readonly prefix: string
  private disposed = false

  private constructor(
    readonly config: LlamaModelConfig,
    params: TensorMap,
    private readonly log: Logger,
  ) {
    this.specs = paramShapes(config)
    // tfjs variable names are global; a per-instance prefix lets several trainers coexist.
    this.prefix = `trainer${instances++}/`
    for (const spec of this.specs)
      this.weights.set(
        spec.name,
        tf.variable(this.toGraph(spec, params.get(spec.name)!.data), true, this.prefix + spec.name),
      )
  }

  /** Starts the backend and builds a model initialised from `init.seed`. */
  static async create(init: TfjsTrainerInit, components: TrainerComponents): Promise<TfjsTrainer> {
    const config = { ...DEFAULT_MODEL_CONFIG, ...init.config }
    validateConfig(config)
    await initTfjsBackend(init.backend ?? 'wasm')
    const log = (components.log ?? silentLogger).child({ component: 'trainer' })
    const trainer = new TfjsTrainer(config, initParams(config, init.seed ?? 0), log)
    log.debug({ backend: tf.getBackend(), config }, 'trainer ready')
    return trainer
  }

  async loadParams(params: TensorMap): Promise<void> {
    this.assertLive()
    checkParams(this.config, params)
    for (const spec of this.specs) {
      tf.tidy(() => this.weights.get(spec.name)!.assign(this.toGraph(spec, params.get(spec.name)!.data)))
    }
  }

  async getParams(): Promise<TensorMap> {
    this.assertLive()
    const out = new Map<string, Tensor>()
    for (const spec of this.specs) {
      const t = tf.tidy(() => this.fromGraph(spec, this.weights.get(spec.name)!))
      out.set(spec.name, { shape: spec.shape, data: (await t.data()) as Float32Array })
      t.dispose()
    }
    return out
  }

  async train(options: TrainOptions): Promise<TrainResult> {
    this.assertLive()
    const { data, steps, batchSize, seqLen, learningRate, proximalMu = 0, signal, onProgress } = options
    for (const [k, v] of Object.entries({ steps, batchSize, seqLen })) {
      if (!Number.isInteger(v) || v < 1)
        throw new InvalidInputError(`${k} must be a positive integer; got ${v}.`)
    }
    if (!(learningRate > 0))
      throw new InvalidInputError(`learningRate must be positive; got ${learningRate}.`)
    if (!(proximalMu >= 0)) throw new InvalidInputError(`proximalMu must be ≥ 0; got ${proximalMu}.`)
    throwIfAborted(signal)
    const sampler = new WindowSampler(data, seqLen + 1, options.seed ?? 0)
    const constants = this.constantsFor(seqLen)
    const vars = [...this.weights.values()]
    const anchors = proximalMu > 0 ? vars.map((v) => tf.keep(v.clone())) : []
    const optimizer = tf.train.adam(learningRate, ADAM.beta1, ADAM.beta2, ADAM.epsilon)
    const losses: number[] = []
    const started = performance.now()
    try {
      for (let step = 0; step < steps; step++) {
        throwIfAborted(signal)
        const batch = sampler.sample(batchSize)
        const lossTensor = tf.tidy(() => {
          const windows = tf.tensor2d(batch, [batchSize, seqLen + 1], 'int32')
          const { value, grads } = tf.variableGrads(() => {
            const loss = windowLoss(this.config, this.weights, constants, windows)
            if (anchors.length === 0) return loss
            const prox = tf.addN(vars.map((v, i) => tf.sum(tf.squaredDifference(v, anchors[i]!))))
            return tf.add(loss, tf.mul(prox, proximalMu / 2)) as tf.Scalar
          }, vars)
          optimizer.applyGradients(
            clipByGlobalNorm(grads, GRAD_CLIP_NORM) as tf.NamedTensorMap as Parameters<
              typeof optimizer.applyGradients
            >[0],
          )
          return value
        })
        losses.push((await lossTensor.data())[0]!)
        lossTensor.dispose()
        const seconds = (performance.now() - started) / 1000
        onProgress?.({
          type: 'training:step:completed',
          detail: {
            step: step + 1,
            steps,
            loss: losses[step]!,
            tokensPerSecond: ((step + 1) * batchSize * seqLen) / seconds,
          },
        })
        // Yield to the event loop so aborts and I/O are serviced between steps.
        await new Promise((resolve) => setImmediate(resolve))
      }
    } finally {
      optimizer.dispose()
      for (const a of anchors) a.dispose()
    }
    const seconds = (performance.now() - started) / 1000
    const tail = losses.slice(-Math.max(1, Math.ceil(steps / 10)))
    const tokens = steps * batchSize * seqLen
    this.log.debug({ steps, seconds, loss: losses.at(-1) }, 'local training done')
    return {
      update: await this.getParams(),
      updateKind: 'weights',
      numExamples: Math.floor(data.tokens.length / (seqLen + 1)),
      metrics: {
        loss: tail.reduce((a, b) => a + b, 0) / tail.length,
        initialLoss: losses[0]!,
        steps,
        tokens,
        seconds,
        tokensPerSecond: tokens / seconds,
      },
    }
  }

  async evaluate(data: TokenDataset, options: EvaluateOptions = {}): Promise<EvaluateResult> {
    this.assertLive()
    const seqLen = options.seqLen ?? DEFAULT_EVAL.seqLen
    const batchSize = options.batchSize ?? DEFAULT_EVAL.batchSize
    const maxWindows = options.maxWindows ?? DEFAULT_EVAL.maxWindows
    const all = splitSequences(data, seqLen + 1)
    if (all.length === 0)
      throw new InvalidInputError(`evaluate needs at least ${seqLen + 1} tokens; got ${data.tokens.length}.`)
    const picked =
      all.length <= maxWindows
        ? all
        : Array.from({ length: maxWindows }, (_, i) => all[Math.floor((i * all.length) / maxWindows)]!)
    const constants = this.constantsFor(seqLen)
    let total = 0
    for (let start = 0; start < picked.length; start += batchSize) {
      throwIfAborted(options.signal)
      const rows = picked.slice(start, start + batchSize)
      const flat = new Int32Array(rows.length * (seqLen + 1))
      for (const [i, r] of rows.entries()) flat.set(r, i * (seqLen + 1))
      const loss = tf.tidy(() =>
        windowLoss(
          this.config,
          this.weights,
          constants,
          tf.tensor2d(flat, [rows.length, seqLen + 1], 'int32'),
        ),
      )
      total += (await loss.data())[0]! * rows.length
      loss.dispose()
    }
    return { loss: total / picked.length, tokens: picked.length * seqLen }
  }

  async logits(tokens: ArrayLike<number>): Promise<Float32Array> {
    this.assertLive()
    const ids = Int32Array.from(tokens as ArrayLike<number>)
    const constants = createGraphConstants(this.config, ids.length)
    try {
      const out = tf.tidy(() =>
        forwardLogits(this.config, this.weights, constants, tf.tensor2d(ids, [1, ids.length], 'int32')),
      )
      const data = (await out.data()) as Float32Array
      out.dispose()
      return data
    } finally {
      disposeGraphConstants(constants)
    }
  }

  async exportGguf(path: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    this.assertLive()
    await writeGgufParams(path, this.config, await this.getParams(), options)
  }

  async dispose(): Promise<void> {
    if (this.disposed) return
    this.disposed = true
    for (const v of this.weights.values()) v.dispose()
    this.weights.clear()
    for (const c of this.constants.values()) disposeGraphConstants(c)
    this.constants.clear()
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose()
  }

  private constantsFor(seqLen: number): GraphConstants {
    let c = this.constants.get(seqLen)
    if (c === undefined) {
      c = createGraphConstants(this.config, seqLen)
      this.constants.set(seqLen, c)
    }
    return c
  }

  /** GGUF data layout → graph layout: linear weights are stored `[out][in]` and used as `[in, out]`. */
  private toGraph(spec: ParamSpec, data: Float32Array): tf.Tensor {
    if (spec.kind === 'norm') return tf.tensor1d(data)
    const [ne0, ne1] = spec.shape as [number, number]
    if (spec.kind === 'embedding') return tf.tensor2d(data, [ne1, ne0])
    return tf.tidy(() => tf.transpose(tf.tensor2d(data, [ne1, ne0])))
  }

  private fromGraph(spec: ParamSpec, v: tf.Tensor): tf.Tensor {
    return spec.kind === 'linear' ? tf.transpose(v) : v.clone()
  }

  private assertLive(): void {
    if (this.disposed) throw new TrainerDisposedError('This trainer was disposed; create a new one.')
  }
}

function validateConfig(c: LlamaModelConfig): void {
  for (const k of ['vocabSize', 'nEmbd', 'nLayer', 'nHead', 'nFf', 'contextLength'] as const) {
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new InvalidInputError(`Model config ${k} must be a positive integer; got ${c[k]}.`)
  }
  if (c.nEmbd % c.nHead !== 0 || (c.nEmbd / c.nHead) % 2 !== 0) {
    throw new UnsupportedModelError(
      `nEmbd (${c.nEmbd}) must be nHead (${c.nHead}) × an even head size for RoPE.`,
    )
  }
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))))
  const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm))
  const out: tf.NamedTensorMap = {}
  for (const [name, g] of Object.entries(grads)) out[name] = tf.mul(g, scale)
  return out
}
