import { InvalidInputError, NotFoundError } from '../errors.ts'

/** A dataset registration or lookup was malformed (licence id, purposes, consent terms, dataset id). */
export class InvalidDatasetError extends InvalidInputError {}

/** A lineage was asked for a model version that does not exist. */
export class VersionNotFoundError extends NotFoundError {}
