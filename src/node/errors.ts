import { InvalidInputError, RefusedError, UnauthorizedError, UnavailableError } from '../errors.ts'

/** A key file is encrypted and no passphrase was given. */
export class KeyLockedError extends UnauthorizedError {}

/** The passphrase does not decrypt the key file. */
export class WrongPassphraseError extends UnauthorizedError {}

/** The data dir's config file is invalid. */
export class InvalidConfigError extends InvalidInputError {}

/** Another node already runs on this data dir. */
export class NodeAlreadyRunningError extends RefusedError {}

/** A member of the local commons did not start (its log says why). */
export class NodeStartFailedError extends UnavailableError {}
