import type { ClientUpdate } from '../../src/aggregation/client-update.ts'
import type { Tensor, TensorMap } from '../../src/aggregation/tensor-map.ts'

/** Shapes of a tiny GGUF-like model used across federated tests. */
export const SHAPES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['token_embd.weight', [16, 8]],
  ['blk.0.attn_q.weight', [8, 8]],
  ['blk.0.attn_norm.weight', [8]],
  ['output.weight', [8, 16]],
]

/** A deterministic PRNG (mulberry32) so fixtures are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A tensor map with the fixture shapes and values from `value(name, i)`. */
export function tensorMap(value: (name: string, i: number) => number): Map<string, Tensor> {
  const out = new Map<string, Tensor>()
  for (const [name, shape] of SHAPES) {
    const n = shape.reduce((a, b) => a * b, 1)
    out.set(name, { shape, data: Float32Array.from({ length: n }, (_, i) => value(name, i)) })
  }
  return out
}

/** A random global model. */
export function globalModel(seed = 1): Map<string, Tensor> {
  const r = prng(seed)
  return tensorMap(() => r() - 0.5)
}

/** An update with random deltas around `center` (spread `spread`). */
export function randomUpdate(
  memberId: string,
  seed: number,
  numExamples = 10,
  center = 0,
  spread = 0.01,
): ClientUpdate {
  const r = prng(seed)
  return {
    memberId,
    numExamples,
    tensors: tensorMap(() => center + (r() - 0.5) * spread),
    metrics: { loss: seed },
  }
}

/** The same update under another member id. */
export function asMember(u: ClientUpdate, memberId: string, numExamples = u.numExamples): ClientUpdate {
  return { ...u, memberId, numExamples }
}

/** An update whose deltas are `u`'s times `factor` (factor -1 flips the sign). */
export function scaled(u: ClientUpdate, memberId: string, factor: number): ClientUpdate {
  const tensors = new Map<string, Tensor>()
  for (const [name, t] of u.tensors)
    tensors.set(name, { shape: t.shape, data: t.data.map((x) => x * factor) })
  return { ...u, memberId, tensors }
}

/** The largest absolute coordinate difference between two tensor maps. */
export function maxDiff(a: TensorMap, b: TensorMap): number {
  let m = 0
  for (const [name, t] of a) {
    const o = b.get(name)!.data
    for (let i = 0; i < t.data.length; i++) m = Math.max(m, Math.abs(t.data[i]! - o[i]!))
  }
  return m
}

/** The mean of each coordinate over honest updates, as a map. */
export function meanOf(updates: readonly ClientUpdate[]): Map<string, Tensor> {
  return tensorMap(
    (name, i) => updates.reduce((s, u) => s + u.tensors.get(name)!.data[i]!, 0) / updates.length,
  )
}
