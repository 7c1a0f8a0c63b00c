import { InvalidInputError } from '../../errors.ts'

/** The held-out text or an evaluation suite cannot be used (too short, malformed). */
export class EvaluationDataError extends InvalidInputError {}
