/** One model tensor: its GGUF shape and its values, row-major, as float32. */
export interface Tensor {
  readonly shape: readonly number[]
  readonly data: Float32Array
}

/**
 * Tensors keyed by GGUF tensor name (`blk.0.attn_q.weight`). The same type carries a global model and
 * a client update; an update holds deltas (local weights minus the global weights it started from).
 */
export type TensorMap = ReadonlyMap<string, Tensor>

/** The number of elements a shape holds. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1
  for (const d of shape) n *= d
  return n
}

/** True when two shapes have the same rank and extents. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The total number of float32 parameters in a tensor map. */
export function parameterCount(tensors: TensorMap): number {
  let n = 0
  for (const t of tensors.values()) n += t.data.length
  return n
}

/** The L2 norm of all values of a tensor map taken as one vector (accumulated in float64). */
export function l2Norm(tensors: TensorMap): number {
  let sum = 0
  for (const t of tensors.values()) {
    const d = t.data
    for (let i = 0; i < d.length; i++) {
      const x = d[i]!
      sum += x * x
    }
  }
  return Math.sqrt(sum)
}

/** `a + scale * b` as a new map; `b` must have the names and shapes of `a`. */
export function addScaled(a: TensorMap, b: TensorMap, scale = 1): Map<string, Tensor> {
  const out = new Map<string, Tensor>()
  for (const [name, t] of a) {
    const bd = b.get(name)!.data
    const ad = t.data
    const od = new Float32Array(ad.length)
    for (let i = 0; i < ad.length; i++) od[i] = ad[i]! + scale * bd[i]!
    out.set(name, { shape: t.shape, data: od })
  }
  return out
}

/** All values of a map in one Float32Array, tensors in the map's iteration order. */
export function flattenTensorMap(tensors: TensorMap): Float32Array {
  const out = new Float32Array(parameterCount(tensors))
  let offset = 0
  for (const t of tensors.values()) {
    out.set(t.data, offset)
    offset += t.data.length
  }
  return out
}

/** The inverse of `flattenTensorMap`: cuts `flat` into tensors with the names and shapes of `like`. */
export function unflattenTensorMap(like: TensorMap, flat: Float32Array): Map<string, Tensor> {
  const out = new Map<string, Tensor>()
  let offset = 0
  for (const [name, t] of like) {
    const n = t.data.length
    out.set(name, { shape: t.shape, data: flat.slice(offset, offset + n) })
    offset += n
  }
  return out
}
