import { open, readFile } from 'node:fs/promises'
import { InternalError } from '../errors.ts'
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPE } from './constants.ts'
import { GgufFormatError, UnsupportedTensorTypeError } from './errors.ts'
import type { GgufHeader, GgufReadModel, GgufScalarType, GgufTensor, GgufTypedValue } from './index.ts'
import { decodeTensorData, tensorByteLength, tensorTypeName } from './tensor-codec.ts'

const utf8 = new TextDecoder('utf-8', { fatal: false })
const VALUE_TYPE_NAME = Object.fromEntries(Object.entries(GGUF_VALUE_TYPE).map(([k, v]) => [v, k])) as Record<
  number,
  GgufScalarType | 'array'
>

/** Thrown internally when the header runs past the bytes read so far. */
class NeedMoreBytes extends InternalError {}

/**
 * Reads a whole GGUF file: typed metadata and every tensor decoded to floats (F32/F16/Q8_0).
 * @example
 * const { metadata, tensors } = await readGguf('/models/tiny.gguf')
 */
export async function readGguf(path: string): Promise<GgufReadModel> {
  return decodeGguf(new Uint8Array(await readFile(path)))
}

/** Reads only the header (metadata + tensor infos) of a GGUF file, without loading tensor data. */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const file = await open(path, 'r')
  try {
    const size = (await file.stat()).size
    for (let length = 1 << 20; ; length *= 4) {
      const n = Math.min(length, size)
      const buf = new Uint8Array(n)
      await file.read(buf, 0, n, 0)
      try {
        return parseHeader(buf)
      } catch (err) {
        if (!(err instanceof NeedMoreBytes)) throw err
        if (n === size)
          throw new GgufFormatError(`${path} is truncated: the GGUF header runs past the end of the file.`)
      }
    }
  } finally {
    await file.close()
  }
}

/** Decodes the header (metadata + tensor infos) of a GGUF file held in memory. */
export function decodeGgufHeader(bytes: Uint8Array): GgufHeader {
  try {
    return parseHeader(bytes)
  } catch (err) {
    if (err instanceof NeedMoreBytes)
      throw new GgufFormatError('The GGUF data is truncated inside its header.')
    throw err
  }
}

/** Decodes a GGUF file held in memory. */
export function decodeGguf(bytes: Uint8Array): GgufReadModel {
  const header = decodeGgufHeader(bytes)
  const tensors: GgufTensor[] = header.tensors.map((info) => {
    if (info.type === undefined || info.byteLength === undefined) {
      throw new UnsupportedTensorTypeError(
        `Tensor ${info.name} has ggml type ${info.ggmlType}; only F32, F16 and Q8_0 can be decoded.`,
      )
    }
    const start = header.dataOffset + info.offset
    if (start + info.byteLength > bytes.byteLength) {
      throw new GgufFormatError(`Tensor ${info.name} runs past the end of the GGUF data.`)
    }
    const elements = info.shape.reduce((a, b) => a * b, 1)
    const data = decodeTensorData(info.type, bytes.subarray(start, start + info.byteLength), elements)
    return { name: info.name, shape: info.shape, type: info.type, data }
  })
  return { version: header.version, alignment: header.alignment, metadata: header.metadata, tensors }
}

function parseHeader(bytes: Uint8Array): GgufHeader {
  const r = new Cursor(bytes)
  if (r.u32() !== GGUF_MAGIC)
    throw new GgufFormatError('Not a GGUF file: the magic bytes "GGUF" are missing.')
  const version = r.u32()
  if (version !== 2 && version !== 3) {
    throw new GgufFormatError(`GGUF version ${version} is not supported; versions 2 and 3 are.`)
  }
  const tensorCount = r.u64()
  const kvCount = r.u64()
  const metadata: Record<string, GgufTypedValue> = {}
  for (let i = 0; i < kvCount; i++) {
    const key = r.string()
    const type = valueTypeName(r.u32())
    if (type === 'array') {
      const itemType = valueTypeName(r.u32())
      if (itemType === 'array')
        throw new GgufFormatError(`Metadata ${key} is a nested array, which is not supported.`)
      const count = r.u64()
      const value: Array<number | bigint | boolean | string> = new Array(count)
      for (let j = 0; j < count; j++) value[j] = r.scalar(itemType)
      metadata[key] = { type, itemType, value }
    } else {
      metadata[key] = { type, value: r.scalar(type) }
    }
  }
  const alignmentEntry = metadata['general.alignment']
  const alignment = alignmentEntry?.type === 'uint32' ? Number(alignmentEntry.value) : GGUF_DEFAULT_ALIGNMENT
  const tensors = []
  for (let i = 0; i < tensorCount; i++) {
    const name = r.string()
    const nDims = r.u32()
    const shape: number[] = []
    for (let d = 0; d < nDims; d++) shape.push(r.u64())
    const ggmlType = r.u32()
    const offset = r.u64()
    const type = tensorTypeName(ggmlType)
    const elements = shape.reduce((a, b) => a * b, 1)
    tensors.push({
      name,
      shape,
      type,
      ggmlType,
      offset,
      byteLength: type && tensorByteLength(type, elements),
    })
  }
  const dataOffset = Math.ceil(r.position / alignment) * alignment
  return { version, alignment, metadata, tensors, dataOffset }
}

function valueTypeName(id: number): GgufScalarType | 'array' {
  const name = VALUE_TYPE_NAME[id]
  if (name === undefined) throw new GgufFormatError(`Unknown GGUF metadata value type ${id}.`)
  return name
}

/** Little-endian reads over a byte array that signal NeedMoreBytes at the end. */
class Cursor {
  position = 0
  private readonly view: DataView

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  private take(n: number): number {
    const at = this.position
    if (at + n > this.bytes.byteLength)
      throw new NeedMoreBytes('The GGUF header runs past the bytes read so far.')
    this.position += n
    return at
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true)
  }

  u64(): number {
    const v = this.view.getBigUint64(this.take(8), true)
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new GgufFormatError(`GGUF count or offset ${v} is too large.`)
    return Number(v)
  }

  string(): string {
    const n = this.u64()
    const at = this.take(n)
    return utf8.decode(this.bytes.subarray(at, at + n))
  }

  scalar(type: GgufScalarType): number | bigint | boolean | string {
    switch (type) {
      case 'uint8':
        return this.view.getUint8(this.take(1))
      case 'int8':
        return this.view.getInt8(this.take(1))
      case 'uint16':
        return this.view.getUint16(this.take(2), true)
      case 'int16':
        return this.view.getInt16(this.take(2), true)
      case 'uint32':
        return this.view.getUint32(this.take(4), true)
      case 'int32':
        return this.view.getInt32(this.take(4), true)
      case 'float32':
        return this.view.getFloat32(this.take(4), true)
      case 'float64':
        return this.view.getFloat64(this.take(8), true)
      case 'bool':
        return this.view.getUint8(this.take(1)) !== 0
      case 'string':
        return this.string()
      case 'uint64':
        return this.view.getBigUint64(this.take(8), true)
      case 'int64':
        return this.view.getBigInt64(this.take(8), true)
    }
  }
}
