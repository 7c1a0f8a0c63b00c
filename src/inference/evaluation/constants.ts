/** Tokens per perplexity window: llama.cpp's `llama-perplexity` default (n_ctx 512), so figures compare. */
export const DEFAULT_EVAL_CONTEXT_SIZE = 512

/** Largest held-out text an evaluation reads (bytes). */
export const MAX_EVAL_TEXT_BYTES = 16 * 1024 * 1024
