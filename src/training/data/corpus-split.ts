import { InvalidInputError } from '../../errors.ts'
import { DEFAULT_HELD_OUT_FRACTION, DEFAULT_SPLIT_BLOCK_BYTES } from './constants.ts'
import { CorpusTooSmallError } from './errors.ts'
import type { SplitCorpusOptions, TextCorpus } from './index.ts'

const NEWLINE = 0x0a

/**
 * Deterministic train/held-out split: the corpus is cut into blocks and every ⌈1/fraction⌉-th block is
 * held out, so both halves sample the whole text rather than its beginning and end.
 * @example const { train, heldOut } = splitCorpus(corpus, { heldOutFraction: 0.1 })
 */
export function splitCorpus(
  corpus: TextCorpus,
  options: SplitCorpusOptions = {},
): { train: TextCorpus; heldOut: TextCorpus } {
  const fraction = options.heldOutFraction ?? DEFAULT_HELD_OUT_FRACTION
  const blockBytes = options.blockBytes ?? DEFAULT_SPLIT_BLOCK_BYTES
  if (!(fraction > 0 && fraction < 1))
    throw new InvalidInputError(`heldOutFraction must be in (0, 1); got ${fraction}.`)
  if (!Number.isInteger(blockBytes) || blockBytes < 1)
    throw new InvalidInputError(`blockBytes must be a positive integer; got ${blockBytes}.`)
  const every = Math.max(2, Math.ceil(1 / fraction))
  const blocks = Math.ceil(corpus.bytes.length / blockBytes)
  if (blocks < every) {
    throw new CorpusTooSmallError(
      `Corpus ${corpus.name} has ${corpus.bytes.length} bytes, too few for a held-out split of ${fraction} in ${blockBytes}-byte blocks; use a larger corpus or smaller blocks.`,
    )
  }
  const train: Uint8Array[] = []
  const heldOut: Uint8Array[] = []
  for (let b = 0; b < blocks; b++) {
    const block = corpus.bytes.subarray(b * blockBytes, Math.min((b + 1) * blockBytes, corpus.bytes.length))
    // Offset by half a period so neither the first nor the last block is always held out.
    if ((b + Math.floor(every / 2)) % every === every - 1) heldOut.push(block)
    else train.push(block)
  }
  return {
    train: { name: `${corpus.name}#train`, bytes: join(train) },
    heldOut: { name: `${corpus.name}#held-out`, bytes: join(heldOut) },
  }
}

/**
 * Deterministic partition into `members` contiguous shards of near-equal size, each cut just after a
 * newline so no line is split between two members.
 * @example const shards = partitionCorpus(train, 3)
 */
export function partitionCorpus(corpus: TextCorpus, members: number): TextCorpus[] {
  if (!Number.isInteger(members) || members < 1)
    throw new InvalidInputError(`members must be a positive integer; got ${members}.`)
  const { bytes } = corpus
  if (bytes.length < members) {
    throw new CorpusTooSmallError(
      `Corpus ${corpus.name} has ${bytes.length} bytes, too few for ${members} shards.`,
    )
  }
  const cuts = [0]
  for (let m = 1; m < members; m++) {
    let cut = Math.max(Math.round((m * bytes.length) / members), cuts[m - 1]! + 1)
    const newline = bytes.indexOf(NEWLINE, cut - 1)
    if (newline !== -1 && newline + 1 < bytes.length && newline - cut < bytes.length / members / 4)
      cut = newline + 1
    cuts.push(cut)
  }
  cuts.push(bytes.length)
  return cuts.slice(0, -1).map((start, m) => ({
    name: `${corpus.name}#shard-${m}-of-${members}`,
    bytes: bytes.subarray(start, cuts[m + 1]),
  }))
}

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}
