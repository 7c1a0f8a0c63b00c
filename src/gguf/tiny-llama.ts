import { Xoshiro128 } from '../seeded-random.ts'
import { BYTE_VOCAB_SIZE, BYTE_VOCAB_SPECIAL, byteVocabulary } from './byte-vocab.ts'
import { InvalidTensorError } from './errors.ts'
import type { GgufModel, GgufTensor, GgufTensorType, TinyLlamaInit } from './index.ts'

/** `general.file_type` (llama_ftype) for each weight type. */
const FILE_TYPE: Record<GgufTensorType, number> = { F32: 0, F16: 1, Q8_0: 7 }

/** Logit scale of the output projection: a normed hidden state gives logits with this std. */
const OUTPUT_LOGIT_STD = 3

/** Output rows of bytes outside printable ASCII are shrunk by this much so samples are mostly readable. */
const NON_ASCII_OUTPUT_SCALE = 0.25

/**
 * Builds a complete tiny llama-architecture model (metadata + tensors) with a byte vocabulary and
 * seeded random weights; the same init always gives the same model.
 * @example
 * await writeGguf(path, createTinyLlama({ seed: 1, nEmbd: 64, nLayer: 2, type: 'Q8_0' }))
 */
export function createTinyLlama(init: TinyLlamaInit): GgufModel {
  const nEmbd = init.nEmbd ?? 64
  const nLayer = init.nLayer ?? 2
  const nHead = init.nHead ?? 4
  const nHeadKv = init.nHeadKv ?? nHead
  const nFf = init.nFf ?? Math.ceil((4 * nEmbd) / 32) * 32
  const nCtx = init.nCtx ?? 2048
  const type = init.type ?? 'F32'
  const nVocab = BYTE_VOCAB_SIZE
  if (nEmbd % nHead !== 0 || nHead % nHeadKv !== 0) {
    throw new InvalidTensorError(
      `nEmbd (${nEmbd}) must divide by nHead (${nHead}), and nHead by nHeadKv (${nHeadKv}).`,
    )
  }
  if (nEmbd % 32 !== 0 || nFf % 32 !== 0) {
    throw new InvalidTensorError(
      `nEmbd (${nEmbd}) and nFf (${nFf}) must be multiples of 32 (Q8_0 block size).`,
    )
  }
  const headDim = nEmbd / nHead
  const nEmbdKv = headDim * nHeadKv
  const rng = new Xoshiro128(init.seed)

  const matrix = (name: string, nIn: number, nOut: number, std: number): GgufTensor => {
    const data = new Float32Array(nIn * nOut)
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std
    return { name, shape: [nIn, nOut], type, data }
  }
  const ones = (name: string): GgufTensor => ({
    name,
    shape: [nEmbd],
    type: 'F32',
    data: new Float32Array(nEmbd).fill(1),
  })

  const tensors: GgufTensor[] = [matrix('token_embd.weight', nEmbd, nVocab, 1)]
  // Residual branches start small so the embedding dominates and each layer nudges it.
  const branch = 0.5 / Math.sqrt(2 * nLayer)
  for (let l = 0; l < nLayer; l++) {
    const p = `blk.${l}`
    tensors.push(
      ones(`${p}.attn_norm.weight`),
      matrix(`${p}.attn_q.weight`, nEmbd, nEmbd, 1 / Math.sqrt(nEmbd)),
      matrix(`${p}.attn_k.weight`, nEmbd, nEmbdKv, 1 / Math.sqrt(nEmbd)),
      matrix(`${p}.attn_v.weight`, nEmbd, nEmbdKv, 1 / Math.sqrt(nEmbd)),
      matrix(`${p}.attn_output.weight`, nEmbd, nEmbd, branch / Math.sqrt(nEmbd)),
      ones(`${p}.ffn_norm.weight`),
      matrix(`${p}.ffn_gate.weight`, nEmbd, nFf, 1 / Math.sqrt(nEmbd)),
      matrix(`${p}.ffn_up.weight`, nEmbd, nFf, 1 / Math.sqrt(nEmbd)),
      matrix(`${p}.ffn_down.weight`, nFf, nEmbd, branch / Math.sqrt(nFf)),
    )
  }
  const output = matrix('output.weight', nEmbd, nVocab, OUTPUT_LOGIT_STD / Math.sqrt(nEmbd))
  for (let token = 0; token < nVocab; token++) {
    const scale = outputRowScale(token)
    if (scale !== 1) for (let i = 0; i < nEmbd; i++) output.data[token * nEmbd + i]! *= scale
  }
  tensors.push(ones('output_norm.weight'), output)

  return {
    metadata: {
      'general.architecture': 'llama',
      'general.name': init.name ?? 'tiny-llama',
      'general.file_type': FILE_TYPE[type],
      'llama.vocab_size': nVocab,
      'llama.context_length': nCtx,
      'llama.embedding_length': nEmbd,
      'llama.block_count': nLayer,
      'llama.feed_forward_length': nFf,
      'llama.rope.dimension_count': headDim,
      'llama.attention.head_count': nHead,
      'llama.attention.head_count_kv': nHeadKv,
      'llama.attention.layer_norm_rms_epsilon': { type: 'float32', value: 1e-5 },
      'llama.rope.freq_base': { type: 'float32', value: 10000 },
      ...byteVocabulary(),
    },
    tensors,
  }
}

/** Specials never win (zero row); printable ASCII, '\n' and '▁' keep full scale; other bytes are damped. */
function outputRowScale(token: number): number {
  if (token < BYTE_VOCAB_SPECIAL.firstByte) return 0
  if (token === BYTE_VOCAB_SPECIAL.space) return 1
  const byte = token - BYTE_VOCAB_SPECIAL.firstByte
  if (byte === 0x0a || (byte > 0x20 && byte < 0x7f)) return 1
  return NON_ASCII_OUTPUT_SCALE
}
