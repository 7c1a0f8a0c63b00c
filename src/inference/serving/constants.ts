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
