import { InvalidInputError, RefusedError } from '../../errors.ts'

/** A round would take a member's spent epsilon above its budget. */
export class PrivacyBudgetExceededError extends RefusedError {}

/** A privacy mechanism or ledger was given parameters outside their domain. */
export class InvalidPrivacyParamsError extends InvalidInputError {}
