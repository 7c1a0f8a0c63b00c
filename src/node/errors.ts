import { InvalidInputError, RefusedError, UnauthorizedError, UnavailableError } from '../errors.ts'

/** A key file is encrypted and no passphrase was given. */
export class KeyLockedError extends UnauthorizedError {}

/** The passphrase does not decrypt the key file. */
export class WrongPassphraseError extends UnauthorizedError {}

/** The data dir's config file is invalid. */
export class InvalidConfigError extends InvalidInputError {}

/** Another node already runs on this data dir. */
export class NodeAlreadyRunningError extends RefusedError {}

/** An invite is not a Model Commons invite, or its content is malformed. */
export class InvalidInviteError extends InvalidInputError {}

/** An invite's signature does not match the node it names, or that node is not a member. */
export class InviteSignatureError extends UnauthorizedError {}

/** An invite's expiry has passed. */
export class InviteExpiredError extends InvalidInputError {}

/** The chain at the invite's RPC URL is not the chain the invite names. */
export class ChainIdMismatchError extends RefusedError {}

/** A contract the invite names has no code, or code other than Model Commons's own. */
export class ContractCodeMismatchError extends RefusedError {}

/** A member of the local commons did not start (its log says why). */
export class NodeStartFailedError extends UnavailableError {}
