import { flattenTensorMap, type Tensor, type TensorMap } from '../aggregation/index.ts'
import { RoundProtocolError } from './errors.ts'
import type { WireModel } from './messages.ts'
import { float32FromBase64, sha256Hex, toBase64 } from './wire-bytes.ts'

// A model travels (and is saved) as one flat float32 buffer plus the names and shapes of its tensors, in
// order. The flat buffer is only an encoding: everything above this file handles a TensorMap.

/** Tensor names and shapes, in the order the encoded buffer holds their values. */
export type ModelLayout = { name: string; shape: number[] }[]

/** The layout of a tensor map (its iteration order). */
export function layoutOf(tensors: TensorMap): ModelLayout {
  return [...tensors].map(([name, t]) => ({ name, shape: [...t.shape] }))
}

/** Cuts a flat buffer into the tensors of a layout (copies); undefined when the sizes do not add up. */
export function tensorsFromFlat(layout: ModelLayout, flat: Float32Array): Map<string, Tensor> | undefined {
  const out = new Map<string, Tensor>()
  let offset = 0
  for (const { name, shape } of layout) {
    const size = shape.reduce((a, b) => a * b, 1)
    if (offset + size > flat.length) return undefined
    out.set(name, { shape, data: flat.slice(offset, offset + size) })
    offset += size
  }
  return offset === flat.length ? out : undefined
}

/** The model hash committed on chain: sha-256 of the float32 values (little-endian, in map order). */
export function modelHash(tensors: TensorMap): `0x${string}` {
  return sha256Hex(...[...tensors.values()].map((t) => t.data))
}

/** The wire form of a model. */
export function encodeWireModel(tensors: TensorMap): WireModel {
  return { layout: layoutOf(tensors), data: toBase64(flattenTensorMap(tensors)) }
}

/** Decodes a wire model, checking that its values fit its layout. */
export function decodeWireModel(m: WireModel): Map<string, Tensor> {
  const flat = float32FromBase64(m.data)
  const tensors = tensorsFromFlat(m.layout, flat)
  if (tensors === undefined)
    throw new RoundProtocolError(`A model of ${flat.length} values does not fit its layout.`)
  return tensors
}
