import { createHash } from 'node:crypto'

/** Base64 of any typed array's bytes (little-endian for multi-byte elements, as on every supported host). */
export function toBase64(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64')
}

/** Bytes from base64. */
export function bytesFromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'))
}

/** A Float32Array from base64 (copied so it is aligned). */
export function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64')
  if (bytes.byteLength % 4 !== 0) throw new RangeError('float32 payload length is not a multiple of 4')
  const out = new Float32Array(bytes.byteLength / 4)
  new Uint8Array(out.buffer).set(bytes)
  return out
}

/** A Uint32Array from base64 (copied so it is aligned). */
export function uint32FromBase64(text: string): Uint32Array {
  const bytes = Buffer.from(text, 'base64')
  if (bytes.byteLength % 4 !== 0) throw new RangeError('uint32 payload length is not a multiple of 4')
  const out = new Uint32Array(bytes.byteLength / 4)
  new Uint8Array(out.buffer).set(bytes)
  return out
}

/** 0x-prefixed sha-256 of a typed array's bytes. */
export function sha256Hex(...views: ArrayBufferView[]): `0x${string}` {
  const h = createHash('sha256')
  for (const v of views) h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
  return `0x${h.digest('hex')}`
}
