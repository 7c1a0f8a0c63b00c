/**
 * GGUF files: a writer and a reader for the container llama.cpp loads, plus a generator of tiny
 * llama-architecture models with a byte-level vocabulary for tests and demos.
 *
 * A leaf domain: it imports no other domain, only root helpers (`errors.ts`, `seeded-random.ts`). The
 * format holds no state and needs nothing from the node, so the public interface is its functions and
 * types (no service, `*Components` or `start/stop`); `createTinyLlama(init)` is its one factory. Errors
 * (`errors.ts`) are all InvalidInputError: the bytes or tensors given do not match the format.
 *
 * Conventions: `shape` is in GGUF/ggml order, `ne0` first — the innermost, contiguous dimension. A
 * weight matrix that maps `in` → `out` features has shape `[in, out]`, and `data[o * in + i]` is the
 * weight from input `i` to output `o`. Tensor `data` is always a Float32Array; the writer encodes it as
 * `type` and the reader decodes F32/F16/Q8_0 back to floats.
 */

import { BYTE_VOCAB_SIZE, BYTE_VOCAB_SPECIAL, byteVocabulary } from './byte-vocab.ts'
import {
  GgufFormatError,
  InvalidMetadataError,
  InvalidTensorError,
  UnsupportedTensorTypeError,
} from './errors.ts'
import { decodeGguf, decodeGgufHeader, readGguf, readGgufHeader } from './gguf-reader.ts'
import { encodeGguf, ggufChunks, writeGguf } from './gguf-writer.ts'
import { createTinyLlama } from './tiny-llama.ts'

export {
  BYTE_VOCAB_SIZE,
  BYTE_VOCAB_SPECIAL,
  byteVocabulary,
  createTinyLlama,
  decodeGguf,
  decodeGgufHeader,
  encodeGguf,
  GgufFormatError,
  ggufChunks,
  InvalidMetadataError,
  InvalidTensorError,
  readGguf,
  readGgufHeader,
  UnsupportedTensorTypeError,
  writeGguf,
}

/** Tensor storage types the writer encodes and the reader decodes. */
export type GgufTensorType = 'F32' | 'F16' | 'Q8_0'

/** Scalar GGUF metadata value types (`gguf_type`). */
export type GgufScalarType =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'float32'
  | 'bool'
  | 'string'
  | 'uint64'
  | 'int64'
  | 'float64'

/** A metadata value with its GGUF type made explicit (what the reader returns). */
export type GgufTypedValue =
  | { type: GgufScalarType; value: number | bigint | boolean | string }
  | { type: 'array'; itemType: GgufScalarType; value: ReadonlyArray<number | bigint | boolean | string> }

/**
 * A metadata value as the writer accepts it. Explicit `{ type, value }` always wins; otherwise strings
 * are STRING, booleans BOOL, non-negative integers UINT32 (what llama.* keys need), negative integers
 * INT32, other numbers FLOAT32, `string[]` a STRING array, and Float32Array/Int32Array/Uint32Array
 * arrays of FLOAT32/INT32/UINT32.
 */
export type GgufMetadataValue =
  | GgufTypedValue
  | string
  | boolean
  | number
  | readonly string[]
  | Float32Array
  | Int32Array
  | Uint32Array

/** One tensor to write, or one tensor read back. */
export interface GgufTensor {
  /** llama.cpp tensor name, e.g. `blk.0.attn_q.weight`. */
  name: string
  /** Dimensions in GGUF order, ne0 (contiguous) first: `[in, out]` for a weight matrix. */
  shape: readonly number[]
  /** Storage type in the file. */
  type: GgufTensorType
  /** Values, ne0 fastest; length is the product of `shape`. */
  data: Float32Array
}

/** A whole model: metadata key/values and tensors, in file order. */
export interface GgufModel {
  metadata: Record<string, GgufMetadataValue>
  tensors: GgufTensor[]
}

/** A tensor's header entry as stored in the file. */
export interface GgufTensorInfo {
  name: string
  shape: number[]
  /** Decodable type name, or undefined for types other than F32/F16/Q8_0. */
  type: GgufTensorType | undefined
  /** Raw `ggml_type` id. */
  ggmlType: number
  /** Offset of the tensor's bytes from the start of the data section. */
  offset: number
  /** Bytes the tensor occupies (undefined for types this module cannot size). */
  byteLength: number | undefined
}

/** Everything before the tensor data: what `readGgufHeader` returns. */
export interface GgufHeader {
  version: number
  alignment: number
  metadata: Record<string, GgufTypedValue>
  tensors: GgufTensorInfo[]
  /** Absolute file offset of the (aligned) data section. */
  dataOffset: number
}

/** A model read back: typed metadata (writable again as is) and decoded tensors. */
export interface GgufReadModel extends GgufModel {
  version: number
  alignment: number
  metadata: Record<string, GgufTypedValue>
}

/** Options of `writeGguf`. */
export interface WriteGgufOptions {
  signal?: AbortSignal
  /** Data alignment; defaults to 32 (written as `general.alignment` only when different). */
  alignment?: number
}

/** Options of `createTinyLlama`. */
export interface TinyLlamaInit {
  /** PRNG seed: the same init always yields byte-identical files. */
  seed: number
  /** Vocabulary: `byte` = <unk>, <s>, </s>, the 256 bytes `<0xNN>` (ids 3..258) and `▁` (259). */
  vocab?: 'byte'
  /** Embedding width; a multiple of 32 and of nHead. Default 64. */
  nEmbd?: number
  /** Transformer blocks. Default 2. */
  nLayer?: number
  /** Attention heads. Default 4. */
  nHead?: number
  /** Key/value heads (GQA when < nHead). Default nHead. */
  nHeadKv?: number
  /** Feed-forward width; a multiple of 32. Default 4 × nEmbd (rounded to 32). */
  nFf?: number
  /** Training context length written as `llama.context_length`. Default 2048. */
  nCtx?: number
  /** Storage type of the 2-D weights (norms are always F32). Default F32. */
  type?: GgufTensorType
  /** `general.name`. Default `tiny-llama`. */
  name?: string
}
