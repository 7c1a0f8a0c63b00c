import { type Cipher, createCipheriv } from 'node:crypto'
import { endianness } from 'node:os'
import { MessageChannel } from 'node:worker_threads'
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

// node:crypto returns every chunk in a fresh native buffer that V8 frees only at its next GC, tens of MB
// later; by then glibc has often handed the pages back to the kernel and touching new ones costs more
// than the cipher (about 16 us per 4 KiB page on the bench VM). Transferring a used chunk through a
// closed port detaches it and frees its memory at once, so the next chunk reuses the same cached pages.
const SINK = new MessageChannel().port1
SINK.close()

/** Most words one `Keystream.addTo` call takes. */
export const KEYSTREAM_CHUNK_WORDS = KEYSTREAM_CHUNK_BYTES / 4

/** Frees a chunk node:crypto returned, if it owns its whole ArrayBuffer (never a shared pool). */
function release(chunk: Buffer): void {
  const buffer = chunk.buffer
  if (buffer instanceof ArrayBuffer && chunk.byteOffset === 0 && buffer.byteLength === chunk.byteLength) {
    SINK.postMessage(null, [buffer])
  }
}

function wordsOf(chunk: Buffer, words: number): Uint32Array {
  if (LITTLE_ENDIAN && chunk.byteOffset % 4 === 0)
    return new Uint32Array(chunk.buffer, chunk.byteOffset, words)
  const out = new Uint32Array(words)
  for (let i = 0; i < words; i++) out[i] = chunk.readUInt32LE(i * 4)
  return out
}

/**
 * The ChaCha20 keystream of one key, read in order a chunk at a time: lets a caller interleave many
 * streams over one block of its vector while that block is in cache.
 * @example
 * const stream = new Keystream(key)
 * stream.addTo(accumulator, 16384, -1, 0) // words 0..16383 of the stream, subtracted
 */
export class Keystream {
  readonly #cipher: Cipher

  constructor(key: Uint8Array) {
    this.#cipher = createCipheriv('chacha20', key, ZERO_IV)
  }

  /**
   * Adds (sign 1) or subtracts (sign -1) the next `words` words of the stream to `target` at word `offset`,
   * and frees the chunk right away.
   */
  addTo(target: WrappingAccumulator, words: number, sign: 1 | -1, offset: number): void {
    if (words > KEYSTREAM_CHUNK_WORDS) {
      throw new RangeError(`At most ${KEYSTREAM_CHUNK_WORDS} keystream words per call, asked for ${words}.`)
    }
    const chunk = this.#cipher.update(ZEROS.subarray(0, words * 4))
    target.add(wordsOf(chunk, words), sign, offset)
    release(chunk)
  }
}

/**
 * Adds (sign 1) or subtracts (sign -1) the ChaCha20 keystream of `key` to `target`, word-wise mod 2^32.
 * @example
 * addKeystream(accumulator, pairwiseKey, 1)
 */
export function addKeystream(target: WrappingAccumulator, key: Uint8Array, sign: 1 | -1): void {
  const stream = new Keystream(key)
  for (let offset = 0; offset < target.length; offset += KEYSTREAM_CHUNK_WORDS) {
    stream.addTo(target, Math.min(KEYSTREAM_CHUNK_WORDS, target.length - offset), sign, offset)
  }
}
