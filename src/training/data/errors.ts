import { InvalidInputError, NotFoundError } from '../../errors.ts'

/** A corpus path does not exist or holds no readable text files. */
export class CorpusNotFoundError extends NotFoundError {}

/** A corpus is too small for what was asked of it (a split, N shards, one training window). */
export class CorpusTooSmallError extends InvalidInputError {}
