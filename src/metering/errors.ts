import { RefusedError } from '../errors.ts'

/**
 * A paid request reached the meter but this node holds no key that signs vouchers for the consumer (its
 * authorisation was revoked since it was admitted): nothing is served unpaid.
 */
export class VoucherSignerMissingError extends RefusedError {}
