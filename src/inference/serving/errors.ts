import { NotFoundError, PeerFailureError, UnavailableError } from '../../errors.ts'

/** This node does not have the requested content root loaded, so it cannot serve it. */
export class ModelNotLoadedError extends NotFoundError {}

/** A peer sent an inference frame out of order (e.g. a chunk at the wrong position). */
export class InferenceProtocolError extends PeerFailureError {}

/** A peer sent no frame within the stall timeout; the generation moves to another peer. */
export class PeerStalledError extends PeerFailureError {}

/** The stream to a serving peer broke (connection lost, reset, malformed frame) before the generation ended. */
export class PeerStreamError extends PeerFailureError {}

/** Too many requests are waiting for this model here; retry after `details.retryAfterSeconds`. */
export class ModelBusyError extends UnavailableError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, { details: { retryAfterSeconds } })
  }
}
