import { InternalError, InvalidInputError, UnavailableError } from '../errors.ts'

/** The trainer was used after `dispose()`. */
export class TrainerDisposedError extends InternalError {}

/** Parameters given to a trainer do not fit its model (missing tensor, wrong size, unsupported layout). */
export class ModelParamsMismatchError extends InvalidInputError {}

/** A model (GGUF metadata or config) uses something the built-in trainer cannot train (e.g. GQA). */
export class UnsupportedModelError extends InvalidInputError {}

/** The TensorFlow.js backend could not be initialised. */
export class TrainerBackendError extends UnavailableError {}

/** An external trainer process failed, exited, or broke the subprocess protocol. */
export class SubprocessTrainerError extends UnavailableError {}
