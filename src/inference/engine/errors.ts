import { InternalError, InvalidInputError, NotFoundError, UnavailableError } from '../../errors.ts'

/** The model file is not at the path the store gave. */
export class ModelFileNotFoundError extends NotFoundError {}

/** llama.cpp could not load the file (not a GGUF model, unsupported architecture, out of memory). */
export class ModelLoadError extends UnavailableError {}

/** The engine was used after `dispose()`. */
export class EngineDisposedError extends InternalError {}

/** Prompt plus already-generated tokens do not fit the context. */
export class ContextOverflowError extends InvalidInputError {}

/** llama.cpp returned no token where one was expected. */
export class SamplingError extends InternalError {}

/** A file offered as a model version is not a GGUF model llama.cpp loads (checked before it is proposed or served). */
export class UnloadableModelError extends InvalidInputError {}
