import { InvalidInputError, NotFoundError } from '../../errors.ts'

/** No API key has that id. */
export class ApiKeyNotFoundError extends NotFoundError {}

/** The API key file exists but is not valid JSON of the expected shape. */
export class ApiKeyFileError extends InvalidInputError {}
