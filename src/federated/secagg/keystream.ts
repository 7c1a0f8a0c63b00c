import { createCipheriv } from 'node:crypto'
import { endianness } from 'node:os'
import { KEYSTREAM_CHUNK_BYTES } from '../constants.ts'
import type { WrappingAccumulator } from '../kernels/wrapping-add.ts'

/*
 * Masks are ChaCha20 keystreams (RFC 8439) from OpenSSL through node:crypto, read as little-endian
 * uint32 words. Each key is derived for one round and one purpose, so the all-zero IV (counter 0,
 * nonce 0) never repeats under a key.
 */

const ZERO_IV = Buffer.alloc(16)
const ZEROS = Buffer.alloc(KEYSTREAM_CHUNK_BYTES)
const LITTLE_ENDIAN = endianness() === 'LE'

function wordsOf(chunk: Buffer, words: number): Uint32Array {
  if (LITTLE_ENDIAN && chunk.byteOffset % 4 === 0)
    return new Uint32Array(chunk.buffer, chunk.byteOffset, words)
  const out = new Uint32Array(words)
  for (let i = 0; i < words; i++) out[i] = chunk.readUInt32LE(i * 4)
  return out
}

/**
 * Adds (sign 1) or subtracts (sign -1) the ChaCha20 keystream of `key` to `target`, word-wise mod 2^32.
 * @example
 * addKeystream(accumulator, pairwiseKey, 1)
 */
export function addKeystream(target: WrappingAccumulator, key: Uint8Array, sign: 1 | -1): void {
  const cipher = createCipheriv('chacha20', key, ZERO_IV)
  const chunkWords = KEYSTREAM_CHUNK_BYTES / 4
  for (let offset = 0; offset < target.length; offset += chunkWords) {
    const words = Math.min(chunkWords, target.length - offset)
    target.add(wordsOf(cipher.update(ZEROS.subarray(0, words * 4)), words), sign, offset)
  }
}
