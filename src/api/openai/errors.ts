import { InvalidInputError, UnavailableError } from '../../errors.ts'

/** A generation ran past the API's request timeout and was cancelled. */
export class InferenceTimeoutError extends UnavailableError {}

/** A POST whose body is not declared as JSON (`Content-Type: application/json`): refused, so a web page cannot post to /v1 with a form. */
export class UnsupportedMediaTypeError extends InvalidInputError {}
