import { LLAMA_TOKEN_TYPE, SPM_SPACE } from './constants.ts'
import type { GgufMetadataValue } from './index.ts'

/** Ids of the special tokens of the byte vocabulary. */
export const BYTE_VOCAB_SPECIAL = { unk: 0, bos: 1, eos: 2, firstByte: 3, space: 259 } as const

/** Tokens in the byte vocabulary: 3 specials + 256 bytes + `▁`. */
export const BYTE_VOCAB_SIZE = 260

/**
 * The `tokenizer.*` metadata of a byte-level llama (SentencePiece) vocabulary. llama.cpp's SPM
 * tokenizer finds no multi-byte pieces, so every character falls back to its UTF-8 bytes `<0xNN>`
 * (token type BYTE), and ' ' is escaped to `▁`, which has its own piece: any text round-trips except
 * a literal `▁` (U+2581), which detokenizes to ' '.
 */
export function byteVocabulary(): Record<string, GgufMetadataValue> {
  const tokens = ['<unk>', '<s>', '</s>']
  const types: number[] = [LLAMA_TOKEN_TYPE.UNKNOWN, LLAMA_TOKEN_TYPE.CONTROL, LLAMA_TOKEN_TYPE.CONTROL]
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`)
    types.push(LLAMA_TOKEN_TYPE.BYTE)
  }
  tokens.push(SPM_SPACE)
  types.push(LLAMA_TOKEN_TYPE.NORMAL)
  return {
    'tokenizer.ggml.model': 'llama',
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.scores': new Float32Array(tokens.length),
    'tokenizer.ggml.token_type': Int32Array.from(types),
    'tokenizer.ggml.bos_token_id': BYTE_VOCAB_SPECIAL.bos,
    'tokenizer.ggml.eos_token_id': BYTE_VOCAB_SPECIAL.eos,
    'tokenizer.ggml.unknown_token_id': BYTE_VOCAB_SPECIAL.unk,
    'tokenizer.ggml.add_bos_token': true,
    'tokenizer.ggml.add_eos_token': false,
    'tokenizer.ggml.add_space_prefix': false,
  }
}
