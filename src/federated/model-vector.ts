import type { ModelParams } from '../training/index.ts'
import { RoundProtocolError } from './errors.ts'
import type { FlatModel } from './messages.ts'
import { float32FromBase64, sha256Hex, toBase64 } from './wire-bytes.ts'

/** Tensor names and lengths in the order a flat vector holds them. */
export type ModelLayout = { name: string; size: number }[]

/** Flattens params into one vector (map order) with its layout. */
export function flattenParams(params: ModelParams): { layout: ModelLayout; data: Float32Array } {
  const layout: ModelLayout = []
  let n = 0
  for (const [name, t] of params) {
    layout.push({ name, size: t.length })
    n += t.length
  }
  const data = new Float32Array(n)
  let offset = 0
  for (const t of params.values()) {
    data.set(t, offset)
    offset += t.length
  }
  return { layout, data }
}

/** The inverse of flattenParams (copies). */
export function unflattenParams(layout: ModelLayout, data: Float32Array): ModelParams {
  const total = layout.reduce((n, l) => n + l.size, 0)
  if (total !== data.length) {
    throw new RoundProtocolError(
      `A model vector of ${data.length} values does not fit its layout of ${total}.`,
    )
  }
  const out: ModelParams = new Map()
  let offset = 0
  for (const { name, size } of layout) {
    out.set(name, data.slice(offset, offset + size))
    offset += size
  }
  return out
}

/** The model hash committed on chain: sha-256 of the float32 values (little-endian, layout order). */
export function modelHash(data: Float32Array): `0x${string}` {
  return sha256Hex(data)
}

/** The wire form of a flat model. */
export function encodeFlatModel(layout: ModelLayout, data: Float32Array): FlatModel {
  return { layout, data: toBase64(data) }
}

/** Decodes a wire model, checking that its values fit the layout. */
export function decodeFlatModel(m: FlatModel): { layout: ModelLayout; data: Float32Array } {
  const data = float32FromBase64(m.data)
  const total = m.layout.reduce((n, l) => n + l.size, 0)
  if (total !== data.length)
    throw new RoundProtocolError(`A model of ${data.length} values does not fit its layout of ${total}.`)
  return { layout: m.layout, data }
}
