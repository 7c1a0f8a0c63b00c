import { UnauthorizedError, UnavailableError } from '../../errors.ts'

/** A Sign-In with Ethereum message or signature that does not prove what it claims (wrong domain, nonce, chain, time, signer). */
export class SignInRefusedError extends UnauthorizedError {}

/** Too many sign-ins are in progress or open at once; retry later. */
export class SignInBusyError extends UnavailableError {}
