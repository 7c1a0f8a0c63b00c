import { InvalidInputError, PeerFailureError, PermissionDeniedError, UnavailableError } from '../errors.ts'

/** A PeerId string could not be parsed, or does not carry a secp256k1 key (no EVM address). */
export class InvalidPeerIdError extends InvalidInputError {}

/** The remote peer is not admitted to this network (not a registered node), so no connection was kept. */
export class PeerNotAdmittedError extends PermissionDeniedError {}

/** A frame declared a length above the limit; it was rejected before being buffered. */
export class FrameTooLargeError extends PeerFailureError {}

/** A frame was not valid JSON or did not match the protocol's schema. */
export class MalformedFrameError extends PeerFailureError {}

/** The stream ended before a complete frame arrived. */
export class StreamEndedError extends PeerFailureError {}

/** The remote answered with a wire error frame `{ error: { name, message } }`. */
export class RemoteError extends PeerFailureError {
  /** The `name` the remote sent (its error code). */
  readonly remoteName: string

  constructor(remoteName: string, message: string) {
    super(`Remote peer answered ${remoteName}: ${message}`, { details: { remoteName } })
    this.remoteName = remoteName
  }
}

/** A request over a stream got no answer within its timeout. */
export class RequestTimeoutError extends PeerFailureError {}

/** A gossip announcement failed validation (schema, signature, replay, staleness or size). */
export class InvalidAnnouncementError extends PeerFailureError {}

/** The host is not started, or was stopped. */
export class HostNotStartedError extends UnavailableError {}
