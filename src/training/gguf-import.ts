import type { Tensor } from '../aggregation/index.ts'
import { type GgufTypedValue, readGguf } from '../gguf/index.ts'
import { DEFAULT_MODEL_CONFIG } from './constants.ts'
import { UnsupportedModelError } from './errors.ts'
import type { LlamaModelConfig } from './index.ts'
import { checkParams, tensorMapOf } from './param-layout.ts'

/**
 * Reads a llama GGUF (F32/F16/Q8_0 tensors are decoded to floats) into a model config and params the
 * built-in trainer loads: `createTfjsTrainer({ config })` then `loadParams(params)`.
 * @example const { config, params } = await readGgufParams('base.gguf')
 */
export async function readGgufParams(
  path: string,
): Promise<{ config: LlamaModelConfig; params: Map<string, Tensor> }> {
  const model = await readGguf(path)
  const meta = model.metadata
  const arch = scalar(meta, 'general.architecture')
  if (arch !== 'llama')
    throw new UnsupportedModelError(
      `${path} is a ${String(arch)} model; the built-in trainer trains llama only.`,
    )
  const num = (key: string, fallback?: number): number => {
    const v = scalar(meta, key)
    if (v === undefined && fallback !== undefined) return fallback
    if (typeof v !== 'number' && typeof v !== 'bigint')
      throw new UnsupportedModelError(`${path} lacks the numeric metadata key ${key}.`)
    return Number(v)
  }
  const params = tensorMapOf(model.tensors)
  const embd = model.tensors.find((t) => t.name === 'token_embd.weight')
  const nEmbd = num('llama.embedding_length')
  const nHead = num('llama.attention.head_count')
  const config: LlamaModelConfig = {
    vocabSize: embd?.shape[1] ?? num('llama.vocab_size'),
    nEmbd,
    nLayer: num('llama.block_count'),
    nHead,
    nFf: num('llama.feed_forward_length'),
    contextLength: num('llama.context_length', DEFAULT_MODEL_CONFIG.contextLength),
    ropeFreqBase: num('llama.rope.freq_base', DEFAULT_MODEL_CONFIG.ropeFreqBase),
    rmsNormEps: num('llama.attention.layer_norm_rms_epsilon', DEFAULT_MODEL_CONFIG.rmsNormEps),
    tiedOutput: !params.has('output.weight'),
  }
  const nHeadKv = num('llama.attention.head_count_kv', nHead)
  if (nHeadKv !== nHead)
    throw new UnsupportedModelError(
      `${path} uses grouped-query attention (${nHeadKv} KV heads for ${nHead}); the built-in trainer needs equal counts.`,
    )
  const rot = num('llama.rope.dimension_count', nEmbd / nHead)
  if (rot !== nEmbd / nHead)
    throw new UnsupportedModelError(
      `${path} rotates ${rot} of ${nEmbd / nHead} head dims; the built-in trainer rotates all.`,
    )
  checkParams(config, params)
  return { config, params }
}

function scalar(meta: Record<string, GgufTypedValue>, key: string): unknown {
  const v = meta[key]
  if (v === undefined || v.type === 'array') return undefined
  return v.type === 'float32' && typeof v.value === 'number' ? shortestFloat32(v.value) : v.value
}

/** The shortest decimal that is the same float32 (so 1e-5 written as float32 reads back as 1e-5). */
function shortestFloat32(x: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(x.toPrecision(digits))
    if (Math.fround(candidate) === x) return candidate
  }
  return x
}
