/** The four bytes every GGUF file starts with ("GGUF", read as a little-endian uint32). */
export const GGUF_MAGIC = 0x46554747

/** The GGUF container version this writer emits (v3: 64-bit counts and lengths). */
export const GGUF_VERSION = 3

/** Default alignment of the data section and each tensor in it (`general.alignment`). */
export const GGUF_DEFAULT_ALIGNMENT = 32

/** Elements per Q8_0 block: one float16 scale followed by 32 signed bytes. */
export const Q8_0_BLOCK_SIZE = 32

/** Bytes per Q8_0 block (2-byte scale + 32 quants). */
export const Q8_0_BLOCK_BYTES = 34

/** `ggml_type` ids of the tensor types this module encodes and decodes (ggml/include/ggml.h). */
export const GGML_TYPE = { F32: 0, F16: 1, Q8_0: 8 } as const

/** `gguf_type` ids of metadata values (ggml/include/gguf.h). */
export const GGUF_VALUE_TYPE = {
  uint8: 0,
  int8: 1,
  uint16: 2,
  int16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  bool: 7,
  string: 8,
  array: 9,
  uint64: 10,
  int64: 11,
  float64: 12,
} as const

/** llama.cpp `llama_token_type` values stored in `tokenizer.ggml.token_type`. */
export const LLAMA_TOKEN_TYPE = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const

/** SentencePiece's visible-space character, which the llama (SPM) tokenizer substitutes for ' '. */
export const SPM_SPACE = '\u2581'
