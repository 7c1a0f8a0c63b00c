/** Generated tokens when a request sets no `maxTokens`. */
export const DEFAULT_MAX_TOKENS = 256

/** Concurrent generations per engine when the init sets none. */
export const DEFAULT_SEQUENCES = 2

/** Upper bound of the default per-sequence context. */
export const DEFAULT_CONTEXT_SIZE = 2048

/** Threads per evaluation cap (see default-threads.ts): more oversubscribes small shared machines (0.35 vs 180 tok/s measured). */
export const DEFAULT_MAX_THREADS = 2

/** UTF-8 encodes a character in at most 4 bytes, so at most 4 byte-tokens can be pending. */
export const MAX_PENDING_TOKENS = 4

/** Preceding tokens passed to the detokenizer so word-initial spaces render correctly. */
export const DETOKENIZE_CONTEXT_TOKENS = 8

/** Context tokens of the embedding context. */
export const EMBEDDING_CONTEXT_SIZE = 512

/** Chunks a generation runs ahead of its consumer, so its next evaluation joins the other sequences' batch. */
export const READ_AHEAD_CHUNKS = 2
