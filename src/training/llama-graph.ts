import * as tf from '@tensorflow/tfjs'
import { MASK_VALUE } from './constants.ts'
import { fastMatMul } from './fast-matmul.ts'
import type { LlamaModelConfig } from './index.ts'

/** Trainable tensors in TensorFlow.js layout: matrices `[in, out]` (so `y = x @ W`), embedding `[vocab, nEmbd]`. */
export type GraphWeights = Map<string, tf.Variable>

/** Constant tensors for one sequence length: RoPE tables and the causal mask. */
export interface GraphConstants {
  seqLen: number
  /** `[seqLen, nEmbd]`: cos(θ) per position and channel (each pair's angle repeated twice). */
  cos: tf.Tensor2D
  /** `[seqLen, nEmbd]`: ∓sin(θ), the sign folded in so `rope(x) = x·cos + swapPairs(x)·sin`. */
  sin: tf.Tensor2D
  /** `[seqLen, seqLen]`: 0 on and below the diagonal, −1e9 above. */
  mask: tf.Tensor2D
  /** `[nEmbd, nEmbd]` pair swap: `(x @ swap)[2i] = x[2i+1]`, `(x @ swap)[2i+1] = x[2i]` (its own transpose). */
  swap: tf.Tensor2D
}

/**
 * RoPE tables matching llama.cpp's LLAMA architecture (rope type NORM): channel pairs (2i, 2i+1) of each
 * head rotate together by pos · base^(−2i/headDim). Because the rotation is on adjacent pairs (not
 * HF's rotate_half halves), exported Q/K weights need no permutation.
 */
export function createGraphConstants(config: LlamaModelConfig, seqLen: number): GraphConstants {
  const d = config.nEmbd
  const headDim = d / config.nHead
  const cos = new Float32Array(seqLen * d)
  const sin = new Float32Array(seqLen * d)
  for (let t = 0; t < seqLen; t++) {
    for (let j = 0; j < d; j++) {
      const i = Math.floor((j % headDim) / 2)
      const angle = t * config.ropeFreqBase ** ((-2 * i) / headDim)
      cos[t * d + j] = Math.cos(angle)
      // out[2i] = x[2i]·cos − x[2i+1]·sin ; out[2i+1] = x[2i+1]·cos + x[2i]·sin
      sin[t * d + j] = j % 2 === 0 ? -Math.sin(angle) : Math.sin(angle)
    }
  }
  const mask = new Float32Array(seqLen * seqLen)
  for (let r = 0; r < seqLen; r++) for (let c = r + 1; c < seqLen; c++) mask[r * seqLen + c] = MASK_VALUE
  const swap = new Float32Array(d * d)
  for (let j = 0; j < d; j += 2) {
    swap[j * d + j + 1] = 1
    swap[(j + 1) * d + j] = 1
  }
  return {
    seqLen,
    swap: tf.tensor2d(swap, [d, d]),
    cos: tf.tensor2d(cos, [seqLen, d]),
    sin: tf.tensor2d(sin, [seqLen, d]),
    mask: tf.tensor2d(mask, [seqLen, seqLen]),
  }
}

/** Releases the constant tensors. */
export function disposeGraphConstants(c: GraphConstants): void {
  c.cos.dispose()
  c.sin.dispose()
  c.mask.dispose()
  c.swap.dispose()
}

/**
 * Logits `[batch·seqLen, vocab]` for token ids `[batch, seqLen]`. The embedding is a one-hot matmul
 * because the WASM backend has no gradient kernel for gather (UnsortedSegmentSum).
 */
export function forwardLogits(
  config: LlamaModelConfig,
  w: GraphWeights,
  c: GraphConstants,
  ids: tf.Tensor2D,
): tf.Tensor2D {
  const [batch, seqLen] = ids.shape
  const n = batch * seqLen
  const d = config.nEmbd
  const embd = get(w, 'token_embd.weight')
  const oneHot = tf.oneHot(tf.reshape(ids, [n]), config.vocabSize).toFloat()
  let x = fastMatMul(oneHot, embd)
  for (let l = 0; l < config.nLayer; l++) {
    const p = `blk.${l}.`
    const h = rmsNorm(x, get(w, `${p}attn_norm.weight`), config.rmsNormEps)
    const q = rope(fastMatMul(h, get(w, `${p}attn_q.weight`)), c, batch, seqLen, d)
    const k = rope(fastMatMul(h, get(w, `${p}attn_k.weight`)), c, batch, seqLen, d)
    const v = fastMatMul(h, get(w, `${p}attn_v.weight`))
    const attn = attention(q, k, v, c, batch, seqLen, config.nHead, d)
    x = tf.add(x, fastMatMul(attn, get(w, `${p}attn_output.weight`)))
    const h2 = rmsNorm(x, get(w, `${p}ffn_norm.weight`), config.rmsNormEps)
    const gate = fastMatMul(h2, get(w, `${p}ffn_gate.weight`))
    const up = fastMatMul(h2, get(w, `${p}ffn_up.weight`))
    const act = tf.mul(tf.mul(gate, tf.sigmoid(gate)), up)
    x = tf.add(x, fastMatMul(act, get(w, `${p}ffn_down.weight`)))
  }
  const out = rmsNorm(x, get(w, 'output_norm.weight'), config.rmsNormEps)
  const head = config.tiedOutput ? tf.transpose(embd) : get(w, 'output.weight')
  return fastMatMul(out, head) as tf.Tensor2D
}

/** Mean next-token cross-entropy of windows `[batch, seqLen + 1]` (nats per token). */
export function windowLoss(
  config: LlamaModelConfig,
  w: GraphWeights,
  c: GraphConstants,
  windows: tf.Tensor2D,
): tf.Scalar {
  const [batch, len] = windows.shape
  const inputs = tf.slice(windows, [0, 0], [batch, len - 1])
  const targets = tf.reshape(tf.slice(windows, [0, 1], [batch, len - 1]), [batch * (len - 1)])
  const logits = forwardLogits(config, w, c, inputs)
  const labels = tf.oneHot(targets, config.vocabSize).toFloat()
  return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar
}

function get(w: GraphWeights, name: string): tf.Variable {
  const v = w.get(name)
  if (v === undefined) throw new Error(`internal: weight ${name} missing`)
  return v
}

function rmsNorm(x: tf.Tensor, weight: tf.Tensor, eps: number): tf.Tensor {
  const ms = tf.mean(tf.square(x), -1, true)
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), weight)
}

/**
 * Rotates adjacent channel pairs: `[n, d]` in and out, positions `t = row mod seqLen`. The pair swap is a
 * matmul with a constant permutation: the WASM Reverse kernel is elementwise and took a quarter of a step.
 */
function rope(x: tf.Tensor, c: GraphConstants, batch: number, seqLen: number, d: number): tf.Tensor {
  const x3 = tf.reshape(x, [batch, seqLen, d])
  const swapped = tf.reshape(swapPairs(x, c.swap), [batch, seqLen, d])
  const cos = seqLen === c.seqLen ? c.cos : tf.slice(c.cos, [0, 0], [seqLen, d])
  const sin = seqLen === c.seqLen ? c.sin : tf.slice(c.sin, [0, 0], [seqLen, d])
  return tf.reshape(tf.add(tf.mul(x3, cos), tf.mul(swapped, sin)), [batch * seqLen, d])
}

/** `x @ swap` whose gradient is `dy @ swap` (a permutation is its own inverse here) and none for the constant. */
function swapPairs(x: tf.Tensor, swap: tf.Tensor2D): tf.Tensor {
  const f = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([])
    return {
      value: tf.matMul(input as tf.Tensor2D, swap),
      gradFunc: (dy: tf.Tensor) => [tf.matMul(dy as tf.Tensor2D, swap)],
    }
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (input: tf.Tensor) => tf.Tensor
  return f(x)
}

function attention(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  c: GraphConstants,
  batch: number,
  seqLen: number,
  nHead: number,
  d: number,
): tf.Tensor {
  const headDim = d / nHead
  const heads = (x: tf.Tensor, perm: number[], shape: number[]): tf.Tensor =>
    tf.reshape(tf.transpose(tf.reshape(x, [batch, seqLen, nHead, headDim]), perm), shape)
  const qh = heads(q, [0, 2, 1, 3], [batch * nHead, seqLen, headDim])
  const kt = heads(k, [0, 2, 3, 1], [batch * nHead, headDim, seqLen])
  const vh = heads(v, [0, 2, 1, 3], [batch * nHead, seqLen, headDim])
  const mask = seqLen === c.seqLen ? c.mask : tf.slice(c.mask, [0, 0], [seqLen, seqLen])
  const scores = tf.add(tf.mul(fastMatMul(qh, kt), 1 / Math.sqrt(headDim)), mask)
  const out = fastMatMul(tf.softmax(scores), vh)
  return tf.reshape(tf.transpose(tf.reshape(out, [batch, nHead, seqLen, headDim]), [0, 2, 1, 3]), [
    batch * seqLen,
    d,
  ])
}
