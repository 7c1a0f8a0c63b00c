import { CommonsError } from '../errors.ts'

/** The trainer was used after `dispose()`. */
export class TrainerDisposedError extends CommonsError {}

/** Parameters given to a trainer do not fit its model (missing tensor, wrong size, unsupported layout). */
export class ModelParamsMismatchError extends CommonsError {}

/** A model (GGUF metadata or config) uses something the built-in trainer cannot train (e.g. GQA). */
export class UnsupportedModelError extends CommonsError {}

/** The TensorFlow.js backend could not be initialised. */
export class TrainerBackendError extends CommonsError {}

/** An external trainer process failed, exited, or broke the subprocess protocol. */
export class SubprocessTrainerError extends CommonsError {}
