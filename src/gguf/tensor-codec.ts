import { GGML_TYPE, Q8_0_BLOCK_BYTES, Q8_0_BLOCK_SIZE } from './constants.ts'
import { InvalidTensorError, UnsupportedTensorTypeError } from './errors.ts'
import { fromHalf, toHalf } from './half.ts'
import type { GgufTensorType } from './index.ts'

/** The ggml type id of a tensor type name. */
export function ggmlTypeId(type: GgufTensorType): number {
  const id = GGML_TYPE[type]
  if (id === undefined)
    throw new UnsupportedTensorTypeError(
      `Tensor type ${String(type)} is not supported; use F32, F16 or Q8_0.`,
    )
  return id
}

/** The tensor type name of a ggml type id, or undefined when this module cannot decode it. */
export function tensorTypeName(id: number): GgufTensorType | undefined {
  for (const [name, value] of Object.entries(GGML_TYPE)) if (value === id) return name as GgufTensorType
  return undefined
}

/** Number of bytes a tensor of `elements` values occupies when stored as `type`. */
export function tensorByteLength(type: GgufTensorType, elements: number): number {
  if (type === 'F32') return elements * 4
  if (type === 'F16') return elements * 2
  return (elements / Q8_0_BLOCK_SIZE) * Q8_0_BLOCK_BYTES
}

/** Encodes float values as `type` (little-endian; Q8_0 rows must be a multiple of 32 long). */
export function encodeTensorData(type: GgufTensorType, data: Float32Array, rowLength: number): Uint8Array {
  if (type === 'F32') {
    const out = new Uint8Array(data.length * 4)
    const view = new DataView(out.buffer)
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true)
    return out
  }
  if (type === 'F16') {
    const out = new Uint8Array(data.length * 2)
    const view = new DataView(out.buffer)
    for (let i = 0; i < data.length; i++) view.setUint16(i * 2, toHalf(data[i]!), true)
    return out
  }
  if (type === 'Q8_0') {
    if (rowLength % Q8_0_BLOCK_SIZE !== 0) {
      throw new InvalidTensorError(
        `Q8_0 needs rows (ne0) that are a multiple of ${Q8_0_BLOCK_SIZE}; got ${rowLength}. Store this tensor as F16 or F32.`,
      )
    }
    return quantizeQ8_0(data)
  }
  throw new UnsupportedTensorTypeError(`Tensor type ${String(type)} is not supported; use F32, F16 or Q8_0.`)
}

/** Decodes `elements` values of `type` from `bytes` into floats. */
export function decodeTensorData(type: GgufTensorType, bytes: Uint8Array, elements: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(elements)
  if (type === 'F32') {
    for (let i = 0; i < elements; i++) out[i] = view.getFloat32(i * 4, true)
  } else if (type === 'F16') {
    for (let i = 0; i < elements; i++) out[i] = fromHalf(view.getUint16(i * 2, true))
  } else if (type === 'Q8_0') {
    for (let b = 0; b < elements / Q8_0_BLOCK_SIZE; b++) {
      const base = b * Q8_0_BLOCK_BYTES
      const d = fromHalf(view.getUint16(base, true))
      for (let j = 0; j < Q8_0_BLOCK_SIZE; j++) out[b * Q8_0_BLOCK_SIZE + j] = d * view.getInt8(base + 2 + j)
    }
  } else {
    throw new UnsupportedTensorTypeError(
      `Tensor type ${String(type)} cannot be decoded; only F32, F16 and Q8_0 can.`,
    )
  }
  return out
}

/** Q8_0 as ggml's quantize_row_q8_0_ref: d = amax / 127 (stored as f16), q = round(x / d). */
function quantizeQ8_0(data: Float32Array): Uint8Array {
  const blocks = data.length / Q8_0_BLOCK_SIZE
  const out = new Uint8Array(blocks * Q8_0_BLOCK_BYTES)
  const view = new DataView(out.buffer)
  for (let b = 0; b < blocks; b++) {
    let amax = 0
    for (let j = 0; j < Q8_0_BLOCK_SIZE; j++) amax = Math.max(amax, Math.abs(data[b * Q8_0_BLOCK_SIZE + j]!))
    const d = amax / 127
    const id = d !== 0 ? 1 / d : 0
    const base = b * Q8_0_BLOCK_BYTES
    view.setUint16(base, toHalf(d), true)
    for (let j = 0; j < Q8_0_BLOCK_SIZE; j++) {
      // C roundf rounds halves away from zero; Math.round would round -2.5 to -2.
      const v = data[b * Q8_0_BLOCK_SIZE + j]! * id
      view.setInt8(base + 2 + j, Math.sign(v) * Math.round(Math.abs(v)))
    }
  }
  return out
}
