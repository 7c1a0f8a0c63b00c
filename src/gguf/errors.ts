import { InvalidInputError } from '../errors.ts'

/** The bytes are not a well-formed GGUF file (bad magic, truncated, unknown value type). */
export class GgufFormatError extends InvalidInputError {}

/** A tensor uses a ggml type this module cannot encode or decode (only F32, F16 and Q8_0 are supported). */
export class UnsupportedTensorTypeError extends InvalidInputError {}

/** A tensor given to the writer is inconsistent (data length vs shape, Q8_0 row not a multiple of 32). */
export class InvalidTensorError extends InvalidInputError {}

/** A metadata value cannot be encoded (e.g. a number that does not fit the requested type). */
export class InvalidMetadataError extends InvalidInputError {}
