import { open } from 'node:fs/promises'
import { throwIfAborted } from '../errors.ts'
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPE, GGUF_VERSION } from './constants.ts'
import { InvalidMetadataError, InvalidTensorError } from './errors.ts'
import type {
  GgufMetadataValue,
  GgufModel,
  GgufScalarType,
  GgufTypedValue,
  WriteGgufOptions,
} from './index.ts'
import { encodeTensorData, ggmlTypeId, tensorByteLength } from './tensor-codec.ts'

const utf8 = new TextEncoder()

/**
 * Writes a GGUF v3 file, streaming one tensor at a time; resolves to the number of bytes written.
 * @example
 * await writeGguf('/tmp/m.gguf', { metadata: { 'general.architecture': 'llama' }, tensors: [
 *   { name: 'output_norm.weight', shape: [64], type: 'F32', data: new Float32Array(64).fill(1) },
 * ] })
 */
export async function writeGguf(
  path: string,
  model: GgufModel,
  options: WriteGgufOptions = {},
): Promise<number> {
  const file = await open(path, 'w')
  let bytes = 0
  try {
    for (const chunk of ggufChunks(model, options)) {
      throwIfAborted(options.signal)
      await file.write(chunk)
      bytes += chunk.byteLength
    }
  } finally {
    await file.close()
  }
  return bytes
}

/** Encodes a whole GGUF file in memory. */
export function encodeGguf(model: GgufModel, options: Omit<WriteGgufOptions, 'signal'> = {}): Uint8Array {
  const chunks = [...ggufChunks(model, options)]
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/** Yields the file in order: header (with padding), then each tensor's bytes (with padding). */
export function* ggufChunks(
  model: GgufModel,
  options: Omit<WriteGgufOptions, 'signal'> = {},
): Generator<Uint8Array> {
  const alignment = options.alignment ?? GGUF_DEFAULT_ALIGNMENT
  const metadata: Record<string, GgufMetadataValue> = { ...model.metadata }
  if (alignment !== GGUF_DEFAULT_ALIGNMENT)
    metadata['general.alignment'] = { type: 'uint32', value: alignment }
  const layout = model.tensors.map((t) => {
    const elements = t.shape.reduce((a, b) => a * b, 1)
    if (t.shape.length === 0 || t.shape.length > 4 || t.shape.some((d) => !Number.isInteger(d) || d <= 0)) {
      throw new InvalidTensorError(
        `Tensor ${t.name} has shape [${t.shape.join(', ')}]; use 1 to 4 positive dimensions.`,
      )
    }
    if (t.data.length !== elements) {
      throw new InvalidTensorError(
        `Tensor ${t.name} has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${elements}.`,
      )
    }
    return { tensor: t, byteLength: tensorByteLength(t.type, elements), offset: 0 }
  })
  let offset = 0
  for (const entry of layout) {
    entry.offset = offset
    offset = alignUp(offset + entry.byteLength, alignment)
  }

  const header = new ByteSink()
  header.u32(GGUF_MAGIC)
  header.u32(GGUF_VERSION)
  header.u64(layout.length)
  header.u64(Object.keys(metadata).length)
  for (const [key, value] of Object.entries(metadata)) {
    header.string(key)
    writeValue(header, key, toTyped(key, value))
  }
  for (const { tensor, offset } of layout) {
    header.string(tensor.name)
    header.u32(tensor.shape.length)
    for (const d of tensor.shape) header.u64(d)
    header.u32(ggmlTypeId(tensor.type))
    header.u64(offset)
  }
  header.pad(alignment)
  yield header.bytes()

  let written = 0
  for (const { tensor, byteLength, offset } of layout) {
    const bytes = encodeTensorData(tensor.type, tensor.data, tensor.shape[0]!)
    yield bytes
    written = offset + byteLength
    const padding = alignUp(written, alignment) - written
    if (padding > 0) yield new Uint8Array(padding)
  }
}

function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment
}

/** Resolves the writer's shorthand metadata forms to explicit GGUF types. */
function toTyped(key: string, value: GgufMetadataValue): GgufTypedValue {
  if (typeof value === 'string') return { type: 'string', value }
  if (typeof value === 'boolean') return { type: 'bool', value }
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return { type: value >= 0 ? 'uint32' : 'int32', value }
    return { type: 'float32', value }
  }
  if (value instanceof Float32Array) return { type: 'array', itemType: 'float32', value: Array.from(value) }
  if (value instanceof Int32Array) return { type: 'array', itemType: 'int32', value: Array.from(value) }
  if (value instanceof Uint32Array) return { type: 'array', itemType: 'uint32', value: Array.from(value) }
  if (Array.isArray(value)) return { type: 'array', itemType: 'string', value: value as string[] }
  if (typeof value === 'object' && value !== null && 'type' in value) return value as GgufTypedValue
  throw new InvalidMetadataError(`Metadata ${key} has a value that cannot be written to GGUF.`)
}

function writeValue(sink: ByteSink, key: string, v: GgufTypedValue): void {
  if (v.type === 'array') {
    sink.u32(GGUF_VALUE_TYPE.array)
    sink.u32(GGUF_VALUE_TYPE[v.itemType])
    sink.u64(v.value.length)
    for (const item of v.value) writeScalar(sink, key, v.itemType, item)
    return
  }
  sink.u32(GGUF_VALUE_TYPE[v.type])
  writeScalar(sink, key, v.type, v.value)
}

function writeScalar(
  sink: ByteSink,
  key: string,
  type: GgufScalarType,
  value: number | bigint | boolean | string,
): void {
  if (type === 'string') {
    if (typeof value !== 'string') throw new InvalidMetadataError(`Metadata ${key}: expected a string.`)
    sink.string(value)
    return
  }
  if (type === 'bool') {
    sink.u8(value === true ? 1 : 0)
    return
  }
  if (typeof value === 'string' || typeof value === 'boolean') {
    throw new InvalidMetadataError(`Metadata ${key}: expected a number for type ${type}.`)
  }
  const n = Number(value)
  const intRange: Partial<Record<GgufScalarType, [number, number]>> = {
    uint8: [0, 0xff],
    int8: [-0x80, 0x7f],
    uint16: [0, 0xffff],
    int16: [-0x8000, 0x7fff],
    uint32: [0, 0xffffffff],
    int32: [-0x80000000, 0x7fffffff],
  }
  const range = intRange[type]
  if (range !== undefined && (!Number.isInteger(n) || n < range[0] || n > range[1])) {
    throw new InvalidMetadataError(`Metadata ${key}: ${String(value)} does not fit ${type}.`)
  }
  switch (type) {
    case 'uint8':
      sink.u8(n)
      return
    case 'int8':
      sink.view(1).setInt8(0, n)
      return
    case 'uint16':
      sink.view(2).setUint16(0, n, true)
      return
    case 'int16':
      sink.view(2).setInt16(0, n, true)
      return
    case 'uint32':
      sink.u32(n)
      return
    case 'int32':
      sink.view(4).setInt32(0, n, true)
      return
    case 'float32':
      sink.view(4).setFloat32(0, n, true)
      return
    case 'float64':
      sink.view(8).setFloat64(0, n, true)
      return
    case 'uint64':
      sink.view(8).setBigUint64(0, BigInt(value), true)
      return
    case 'int64':
      sink.view(8).setBigInt64(0, BigInt(value), true)
  }
}

/** A growable little-endian byte buffer for the header. */
class ByteSink {
  private buf = new Uint8Array(4096)
  private len = 0

  /** Reserves `n` bytes and returns a DataView over them. */
  view(n: number): DataView {
    if (this.len + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n))
      next.set(this.buf.subarray(0, this.len))
      this.buf = next
    }
    const v = new DataView(this.buf.buffer, this.len, n)
    this.len += n
    return v
  }

  u8(n: number): void {
    this.view(1).setUint8(0, n)
  }

  u32(n: number): void {
    this.view(4).setUint32(0, n, true)
  }

  u64(n: number): void {
    this.view(8).setBigUint64(0, BigInt(n), true)
  }

  string(s: string): void {
    const b = utf8.encode(s)
    this.u64(b.length)
    new Uint8Array(this.view(b.length).buffer, this.len - b.length, b.length).set(b)
  }

  pad(alignment: number): void {
    const n = alignUp(this.len, alignment) - this.len
    if (n > 0) this.view(n)
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}
