import { PermissionDeniedError, RefusedError, UnauthorizedError } from '../errors.ts'

/** Every refusal of the usage policy; `reason` labels the refusal counter. */
export interface PolicyRefusal {
  readonly reason:
    | 'anonymous'
    | 'not-allowlisted'
    | 'terms-not-accepted'
    | 'payment-required'
    | 'rate-limited'
}

/** The model's policy needs to know who the consumer is, and the request carries no address. */
export class ConsumerUnknownError extends UnauthorizedError implements PolicyRefusal {
  readonly reason = 'anonymous' as const
}

/** The model is allowlist-only and the consumer is not on the list. */
export class NotAllowlistedError extends PermissionDeniedError implements PolicyRefusal {
  readonly reason = 'not-allowlisted' as const
}

/** The model has usage terms and the consumer has not accepted the version in force. */
export class TermsNotAcceptedError extends PermissionDeniedError implements PolicyRefusal {
  readonly reason = 'terms-not-accepted' as const
}

/** The model is paid and the consumer has no usable deposit (or this node takes no payment). */
export class PaymentRequiredError extends RefusedError implements PolicyRefusal {
  readonly reason = 'payment-required' as const
}

/** The consumer sent more requests than the model's per-consumer rate allows. */
export class ConsumerRateLimitedError extends RefusedError implements PolicyRefusal {
  readonly reason = 'rate-limited' as const
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { details: { retryAfterSeconds } })
  }
}
