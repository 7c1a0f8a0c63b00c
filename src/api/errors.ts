import { CommonsError } from '../errors.ts'

/** The caller did not present a valid credential for this route. */
export class UnauthorizedError extends CommonsError {}
