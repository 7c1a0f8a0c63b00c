import { CommonsError } from '../errors.ts'

/** A key file is encrypted and no passphrase was given. */
export class KeyLockedError extends CommonsError {}

/** The passphrase does not decrypt the key file. */
export class WrongPassphraseError extends CommonsError {}

/** The data dir's config file is invalid. */
export class InvalidConfigError extends CommonsError {}

/** Another node already runs on this data dir. */
export class NodeAlreadyRunningError extends CommonsError {}
