/**
 * Members' local training data: a corpus is a text file or a folder of them, read as bytes and turned
 * into byte-level token ids (the vocabulary of `gguf/`). Also a deterministic train/held-out
 * split and a deterministic partition of one corpus into N members' shards, for tests and the demo.
 * Functions live beside this file: corpus-loader.ts, corpus-split.ts, token-dataset.ts, byte-tokens.ts.
 */

import type { ProgressEvent } from '../../progress.ts'

/** A member's text corpus as raw UTF-8 bytes (files joined with a blank line). */
export interface TextCorpus {
  /** Where it came from (path, or `name#shard` for a partition). */
  readonly name: string
  readonly bytes: Uint8Array
}

/** Token ids ready for training: one contiguous stream; windows are cut from it. */
export interface TokenDataset {
  readonly tokens: Uint16Array
}

/** Progress of `loadCorpus`: one event per file read. */
export type CorpusProgressEvent = ProgressEvent<'training:file:read', { path: string; bytes: number }>

/** Options of `loadCorpus`. */
export interface LoadCorpusOptions {
  signal?: AbortSignal
  onProgress?: (event: CorpusProgressEvent) => void
}

/** Options of `splitCorpus`. */
export interface SplitCorpusOptions {
  /** Share of the bytes held out, in (0, 1). Default 0.1. */
  heldOutFraction?: number
  /** Size of the interleaved blocks; every ⌈1/fraction⌉-th block is held out. Default 4096. */
  blockBytes?: number
}
