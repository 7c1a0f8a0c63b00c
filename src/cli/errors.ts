import { ERROR_CODES } from '../error-codes.ts'
import { CommonsError } from '../errors.ts'

/** The node the CLI was talking to stopped answering. */
export class NodeUnreachableError extends CommonsError {}

/** An error the node reported over HTTP, carrying the node's error name so exit codes match. */
export class RemoteError extends CommonsError {
  constructor(
    readonly remoteName: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
    // Keep the remote name so the exit-code table treats it like the original error.
    this.name = remoteName in ERROR_CODES ? remoteName : 'RemoteError'
  }
}

/** Rebuilds an error from an OpenAI-shaped error body. */
export function errorFromResponse(status: number, body: Record<string, unknown>): RemoteError {
  const e = (body.error ?? {}) as { message?: string; code?: string }
  return new RemoteError(e.code ?? 'RemoteError', e.message ?? `The node answered HTTP ${status}.`, status)
}
