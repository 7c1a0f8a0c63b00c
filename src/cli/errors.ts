import { ERROR_CODES } from '../error-codes.ts'
import { InternalError, PeerFailureError, UnavailableError } from '../errors.ts'

/** The node the CLI was talking to stopped answering. */
export class NodeUnreachableError extends UnavailableError {}

/** A fetch the node reported as failed. */
export class FetchFailedError extends PeerFailureError {}

// The categories by HTTP status, for a remote error whose name this CLI does not know.
const CATEGORY_BY_STATUS: Record<number, string> = {
  400: 'InvalidInputError',
  401: 'UnauthorizedError',
  403: 'PermissionDeniedError',
  404: 'NotFoundError',
  409: 'RefusedError',
  502: 'PeerFailureError',
  503: 'UnavailableError',
}

/** An error the node reported over HTTP, carrying the node's error name so exit codes match. */
export class RemoteError extends InternalError {
  constructor(
    readonly remoteName: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
    // Keep the remote name so the exit-code table treats it like the original error; a name the table
    // does not list takes the category of its HTTP status.
    this.name = remoteName in ERROR_CODES ? remoteName : (CATEGORY_BY_STATUS[status] ?? 'RemoteError')
  }
}

/** Rebuilds an error from an OpenAI-shaped error body. */
export function errorFromResponse(status: number, body: Record<string, unknown>): RemoteError {
  const e = (body.error ?? {}) as { message?: string; code?: string }
  return new RemoteError(e.code ?? 'RemoteError', e.message ?? `The node answered HTTP ${status}.`, status)
}
