import { InvalidInputError, RefusedError, UnauthorizedError } from '../errors.ts'

/** A key file is encrypted and no passphrase was given. */
export class KeyLockedError extends UnauthorizedError {}

/** The passphrase does not decrypt the key file. */
export class WrongPassphraseError extends UnauthorizedError {}

/** The data dir's config file is invalid. */
export class InvalidConfigError extends InvalidInputError {}

/** Another node already runs on this data dir. */
export class NodeAlreadyRunningError extends RefusedError {}
