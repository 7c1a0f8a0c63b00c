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
    // Both come from an untrusted peer: the name must look like an error name, the text is cut short and
    // stripped of control characters. It is for logs; what a client is told is written by the requester.
    const name = /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(remoteName) ? remoteName : 'RemoteError'
    super(`Remote peer answered ${name}: ${printable(message, 200)}`, { details: { remoteName: name } })
    this.remoteName = name
  }
}

/** A request over a stream got no answer within its timeout. */
export class RequestTimeoutError extends PeerFailureError {}

/** A gossip announcement failed validation (schema, signature, replay, staleness or size). */
export class InvalidAnnouncementError extends PeerFailureError {}

/** The host is not started, or was stopped. */
export class HostNotStartedError extends UnavailableError {}

/** A peer's text made safe to log: control characters removed, at most `max` characters. */
function printable(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
  return clean.length > max ? `${clean.slice(0, max)}…` : clean
}
