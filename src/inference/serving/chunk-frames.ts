import type { GenerationChunk } from '../index.ts'
import { MAX_CHUNK_TEXT_LENGTH, MAX_CHUNK_TOKENS } from './constants.ts'

/**
 * Merges consecutive chunks of one generation into as few as the frame bounds allow (tokens and text
 * concatenated, `index` of the first, `finishReason`/`usage` of the last), so what piled up while the
 * stream was busy goes out as one frame. A generation's text is a pure function of its tokens, so the
 * receiver sees the same tokens and text.
 */
export function mergeChunks(batch: readonly GenerationChunk[]): GenerationChunk[] {
  if (batch.length < 2) return batch as GenerationChunk[]
  const out: GenerationChunk[] = []
  let open: GenerationChunk | undefined
  for (const chunk of batch) {
    if (
      open === undefined ||
      open.finishReason !== undefined ||
      open.index + open.tokens.length !== chunk.index ||
      open.tokens.length + chunk.tokens.length > MAX_CHUNK_TOKENS ||
      open.text.length + chunk.text.length > MAX_CHUNK_TEXT_LENGTH
    ) {
      open = { index: chunk.index, tokens: [...chunk.tokens], text: chunk.text }
      out.push(open)
    } else {
      for (const t of chunk.tokens) open.tokens.push(t)
      open.text += chunk.text
    }
    if (chunk.finishReason !== undefined) open.finishReason = chunk.finishReason
    if (chunk.usage !== undefined) open.usage = chunk.usage
  }
  return out
}
