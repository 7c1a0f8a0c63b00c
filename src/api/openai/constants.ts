/** Largest /v1 request body. */
export const MAX_OPENAI_BODY_BYTES = 256 * 1024

/** Default limits of the OpenAI-compatible API (the per-model queue bound is the inference service's). */
export const DEFAULT_OPENAI_LIMITS = {
  /** Largest prompt: completion text, or the sum of chat message contents (UTF-8 bytes). */
  maxPromptBytes: 64 * 1024,
  /** Largest `max_tokens` / `max_completion_tokens` a request may ask for. */
  maxOutputTokens: 4096,
  /** `max_tokens` when the request gives none. */
  defaultMaxTokens: 256,
  /** A request running longer is cancelled (ms). */
  requestTimeoutMs: 300_000,
  /** Inputs per embeddings request. */
  maxEmbeddingInputs: 64,
} as const

/** Value of `owned_by` in /v1/models. */
export const OWNED_BY = 'model-commons'
