import {
  InvalidInputError,
  NotFoundError,
  PeerFailureError,
  RefusedError,
  UnavailableError,
} from '../errors.ts'

/** A chunk's bytes do not hash to the sha256 it was stored or requested under. */
export class ChunkHashMismatchError extends PeerFailureError {}

/** A manifest failed validation, is over the size limit, or its bytes do not hash to the content root. */
export class InvalidManifestError extends InvalidInputError {}

/** A content root is not a 64-hex sha256 or a manifest CID. */
export class InvalidContentRootError extends InvalidInputError {}

/** The store has no manifest for this content root. */
export class ManifestNotFoundError extends NotFoundError {}

/** The store has no chunk with this hash. */
export class ChunkNotFoundError extends NotFoundError {}

/** Some chunks of the content are missing, so it cannot be exported or served whole yet. */
export class IncompleteContentError extends RefusedError {}

/** No reachable peer holds (the rest of) the content; retry once another holder is known. */
export class NoProvidersError extends UnavailableError {}

/** A bulk-channel record failed AES-GCM authentication: the bytes were altered on the way. */
export class BulkRecordAuthError extends PeerFailureError {}
