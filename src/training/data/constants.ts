import { fileURLToPath } from 'node:url'

/** File extensions read when a corpus is a folder. */
export const CORPUS_FILE_EXTENSIONS = ['.txt', '.md'] as const

/** Default share of a corpus kept for held-out evaluation. */
export const DEFAULT_HELD_OUT_FRACTION = 0.1

/** Bytes per block when interleaving train and held-out data (large enough to keep context intact). */
export const DEFAULT_SPLIT_BLOCK_BYTES = 4096

/** Path of the public-domain corpus shipped with the project (Pride and Prejudice, ch. 1–24; data/corpus/LICENSE). */
export const BUNDLED_CORPUS_PATH = fileURLToPath(
  new URL('../../../data/corpus/pride-and-prejudice-ch01-24.txt', import.meta.url),
)
