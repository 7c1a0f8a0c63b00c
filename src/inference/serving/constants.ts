/** Stream protocol that carries inference requests between nodes. */
export const INFER_PROTOCOL = '/commons/infer/1.0.0'

/** Largest prompt (UTF-8 bytes of text or JSON of chat messages) a node accepts. */
export const MAX_PROMPT_BYTES = 256 * 1024

/** Hard upper bound on generated tokens per request. */
export const MAX_GENERATED_TOKENS = 32_768

/** Most stop strings per request (OpenAI allows 4; the chat template adds its own). */
export const MAX_STOP_STRINGS = 16

/** Largest request frame: prompt, messages and the tokens generated so far. */
export const MAX_INFER_REQUEST_BYTES = 2 * 1024 * 1024

/** Largest answer frame (a token chunk, or an embedding vector as JSON). */
export const MAX_INFER_ANSWER_BYTES = 1024 * 1024

/** Concurrent inbound inference streams per connection-less host. */
export const MAX_INBOUND_INFER_STREAMS = 64

/** Most tokens in one chunk frame (a serving node merges the tokens that piled up up to this). */
export const MAX_CHUNK_TOKENS = 64

/** Longest text (UTF-16 code units) in one chunk frame. */
export const MAX_CHUNK_TEXT_LENGTH = 4096

/**
 * Most UTF-8 bytes of text a serving peer may send per token it sends, summed over its answer. Pieces of
 * real vocabularies are far shorter on average (a long whitespace or code token rarely passes 32 bytes);
 * a peer above it sends text its tokens cannot have produced.
 */
export const MAX_TEXT_BYTES_PER_TOKEN = 64

/**
 * Extra text bytes a peer resuming a generation may send on top of the per-token bound: text of earlier
 * tokens the failed peer held back (a stop-string prefix, at most 256 characters, or a partial character).
 */
export const RESUME_TEXT_SLACK_BYTES = 1024

/** Longest a peer may take for a whole generation attempt before the requester fails over (ms). */
export const DEFAULT_PEER_DEADLINE_MS = 300_000

/** The same limits as /v1 (DEFAULT_OPENAI_LIMITS): a peer request is held to what a local client could ask. */
export const PEER_REQUEST_LIMITS = {
  /** Largest max_tokens a peer may ask for. */
  maxOutputTokens: 4096,
  /** Largest prompt: completion text, or the sum of chat message contents (UTF-8 bytes). */
  maxPromptBytes: 64 * 1024,
  /** Most chat messages in one request. */
  maxMessages: 1024,
} as const

/** How often a serving peer reports a queued request's place before its first chunk (ms). */
export const QUEUE_PROGRESS_INTERVAL_MS = 2_000

/**
 * Least time between two chunk frames of one generation on the peer protocol (ms): one frame of a 60 Hz
 * display, sooner than a reader could see the text anyway. A token produced sooner after the last frame
 * waits for this with the ones after it and they go out as one frame; a token after a quiet spell (the
 * first, or every token of a model slower than this, as real models on CPUs are) goes at once, and the
 * final chunk never waits. Each frame costs the two nodes about 0.7 ms of CPU together (JSON encode and
 * decode, a Noise seal and open, a yamux data frame and its window update, socket writes on both sides and
 * the SSE event): at a frame per token a tiny model's proxied stream ran at half the direct rate, at 2 ms
 * still 0.9 frames per token (docs/benchmarks.md, issue 14).
 */
export const CHUNK_COALESCE_MS = 16
