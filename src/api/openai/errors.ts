import { UnavailableError } from '../../errors.ts'

/** A generation ran past the API's request timeout and was cancelled. */
export class InferenceTimeoutError extends UnavailableError {}
