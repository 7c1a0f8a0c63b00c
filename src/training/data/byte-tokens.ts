import { BYTE_VOCAB_SPECIAL } from '../../gguf/index.ts'

const SPACE_BYTE = 0x20

/**
 * Token ids of UTF-8 bytes in the byte-level llama vocabulary written by `gguf/`: byte `b` is id
 * `b + 3`, except ' ', which llama.cpp's SPM tokenizer escapes to `▁` (id 259), so training sees exactly
 * the ids llama.cpp produces when it serves the exported model.
 */
export function bytesToTokens(bytes: Uint8Array): Uint16Array {
  const out = new Uint16Array(bytes.length)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    out[i] = b === SPACE_BYTE ? BYTE_VOCAB_SPECIAL.space : b + BYTE_VOCAB_SPECIAL.firstByte
  }
  return out
}

/** UTF-8 bytes of token ids (specials are dropped); the inverse of `bytesToTokens`. */
export function tokensToBytes(tokens: ArrayLike<number>): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    if (t === BYTE_VOCAB_SPECIAL.space) out.push(SPACE_BYTE)
    else if (t >= BYTE_VOCAB_SPECIAL.firstByte && t < BYTE_VOCAB_SPECIAL.firstByte + 256)
      out.push(t - BYTE_VOCAB_SPECIAL.firstByte)
  }
  return Uint8Array.from(out)
}

/** Token ids of a string (UTF-8, then `bytesToTokens`). */
export function textToTokens(text: string): Uint16Array {
  return bytesToTokens(new TextEncoder().encode(text))
}
