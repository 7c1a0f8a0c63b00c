import { Xoshiro128 } from '../../seeded-random.ts'
import { bytesToTokens } from './byte-tokens.ts'
import { CorpusTooSmallError } from './errors.ts'
import type { TextCorpus, TokenDataset } from './index.ts'

/** The token stream of a corpus. */
export function toTokenDataset(corpus: TextCorpus): TokenDataset {
  return { tokens: bytesToTokens(corpus.bytes) }
}

/** Non-overlapping windows of `length` tokens (the tail shorter than `length` is dropped). */
export function splitSequences(dataset: TokenDataset, length: number): Uint16Array[] {
  const out: Uint16Array[] = []
  for (let start = 0; start + length <= dataset.tokens.length; start += length)
    out.push(dataset.tokens.subarray(start, start + length))
  return out
}

/** Draws training windows at uniformly random offsets from a token stream, reproducibly from a seed. */
export class WindowSampler {
  private readonly random: Xoshiro128

  constructor(
    private readonly dataset: TokenDataset,
    private readonly length: number,
    seed: number,
  ) {
    if (dataset.tokens.length < length) {
      throw new CorpusTooSmallError(
        `The dataset has ${dataset.tokens.length} tokens, fewer than one window of ${length}; use more data or a shorter seqLen.`,
      )
    }
    this.random = new Xoshiro128(seed)
  }

  /** `count` windows, concatenated row-major into one Int32Array of `count × length` ids. */
  sample(count: number): Int32Array {
    const out = new Int32Array(count * this.length)
    const span = this.dataset.tokens.length - this.length + 1
    for (let i = 0; i < count; i++) {
      const start = this.random.int(span)
      out.set(this.dataset.tokens.subarray(start, start + this.length), i * this.length)
    }
    return out
  }
}
