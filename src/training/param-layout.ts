import type { Tensor, TensorMap } from '../aggregation/index.ts'
import { Xoshiro128 } from '../seeded-random.ts'
import { INIT_STD } from './constants.ts'
import { ModelParamsMismatchError } from './errors.ts'
import type { LlamaModelConfig } from './index.ts'

/** How a tensor is stored: a norm vector, or a matrix mapping `in` → `out` features. */
export type ParamKind = 'norm' | 'embedding' | 'linear'

/** One tensor of the model: GGUF name, GGUF shape (ne0 first) and kind. */
export interface ParamSpec {
  name: string
  /** `[n]` for norms, `[in, out]` for matrices (token_embd: `[nEmbd, vocabSize]`). */
  shape: [number] | [number, number]
  kind: ParamKind
}

/** Every tensor of a llama model in llama.cpp's names and GGUF shapes, in file order. */
export function paramShapes(config: LlamaModelConfig): ParamSpec[] {
  const { nEmbd: d, nFf: f, vocabSize: v } = config
  const specs: ParamSpec[] = [{ name: 'token_embd.weight', shape: [d, v], kind: 'embedding' }]
  for (let l = 0; l < config.nLayer; l++) {
    const p = `blk.${l}.`
    specs.push(
      { name: `${p}attn_norm.weight`, shape: [d], kind: 'norm' },
      { name: `${p}attn_q.weight`, shape: [d, d], kind: 'linear' },
      { name: `${p}attn_k.weight`, shape: [d, d], kind: 'linear' },
      { name: `${p}attn_v.weight`, shape: [d, d], kind: 'linear' },
      { name: `${p}attn_output.weight`, shape: [d, d], kind: 'linear' },
      { name: `${p}ffn_norm.weight`, shape: [d], kind: 'norm' },
      { name: `${p}ffn_gate.weight`, shape: [d, f], kind: 'linear' },
      { name: `${p}ffn_up.weight`, shape: [d, f], kind: 'linear' },
      { name: `${p}ffn_down.weight`, shape: [f, d], kind: 'linear' },
    )
  }
  specs.push({ name: 'output_norm.weight', shape: [d], kind: 'norm' })
  if (!config.tiedOutput) specs.push({ name: 'output.weight', shape: [d, v], kind: 'linear' })
  return specs
}

/** Number of trainable parameters. */
export function countParams(config: LlamaModelConfig): number {
  return paramShapes(config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0)
}

/**
 * Deterministic init from `seed`: norms 1, matrices N(0, 0.02²), the residual projections
 * (attn_output, ffn_down) scaled by 1/√(2·nLayer) as in GPT-2.
 */
export function initParams(config: LlamaModelConfig, seed: number): Map<string, Tensor> {
  const random = new Xoshiro128(seed)
  const out = new Map<string, Tensor>()
  const residualScale = 1 / Math.sqrt(2 * config.nLayer)
  for (const spec of paramShapes(config)) {
    const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1))
    if (spec.kind === 'norm') data.fill(1)
    else {
      const std =
        spec.name.endsWith('attn_output.weight') || spec.name.endsWith('ffn_down.weight')
          ? INIT_STD * residualScale
          : INIT_STD
      for (let i = 0; i < data.length; i++) data[i] = random.normal() * std
    }
    out.set(spec.name, { shape: spec.shape, data })
  }
  return out
}

/** Throws unless `params` has exactly the model's tensors with the right shapes and sizes. */
export function checkParams(config: LlamaModelConfig, params: TensorMap): void {
  const specs = paramShapes(config)
  for (const spec of specs) {
    const tensor = params.get(spec.name)
    const size = spec.shape.reduce((a, b) => a * b, 1)
    if (tensor === undefined)
      throw new ModelParamsMismatchError(
        `Tensor ${spec.name} is missing; the model needs all ${specs.length} tensors.`,
      )
    if (tensor.data.length !== size || tensor.shape.join(',') !== spec.shape.join(',')) {
      throw new ModelParamsMismatchError(
        `Tensor ${spec.name} is [${tensor.shape.join(', ')}] with ${tensor.data.length} values but the model needs [${spec.shape.join(', ')}] = ${size}.`,
        {
          details: { name: spec.name, expected: size, actual: tensor.data.length },
        },
      )
    }
  }
  const known = new Set(specs.map((s) => s.name))
  for (const name of params.keys()) {
    if (!known.has(name))
      throw new ModelParamsMismatchError(
        `Tensor ${name} is not part of this model (config ${JSON.stringify(config)}).`,
      )
  }
}

/** GGUF tensors (any storage type, decoded to floats) as the one weight representation, keyed by name. */
export function tensorMapOf(
  tensors: readonly { name: string; shape: readonly number[]; data: Float32Array }[],
): Map<string, Tensor> {
  return new Map(tensors.map((t) => [t.name, { shape: [...t.shape], data: t.data }]))
}
