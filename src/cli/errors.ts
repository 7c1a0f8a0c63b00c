import { ERROR_CODES, errorCodeOf } from '../error-codes.ts'
import { CommonsError, InternalError, PeerFailureError, UnavailableError } from '../errors.ts'
import { flagOf } from './flags.ts'

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
    details?: Record<string, unknown>,
  ) {
    super(message, { details })
    // Keep the remote name so the exit-code table treats it like the original error; a name the table
    // does not list takes the category of its HTTP status.
    this.name = remoteName in ERROR_CODES ? remoteName : (CATEGORY_BY_STATUS[status] ?? 'RemoteError')
  }
}

/** Rebuilds an error from an OpenAI-shaped error body. */
export function errorFromResponse(status: number, body: Record<string, unknown>): RemoteError {
  const e = (body.error ?? {}) as { message?: string; code?: string; details?: Record<string, unknown> }
  return new RemoteError(
    e.code ?? 'RemoteError',
    e.message ?? `The node answered HTTP ${status}.`,
    status,
    typeof e.details === 'object' && e.details !== null ? e.details : undefined,
  )
}

/**
 * What the CLI prints for an error: `error: <message>` (and a hint for an unexpected one); with
 * `verbose`, the stack of the error and of every cause below it.
 */
export function formatCliError(err: unknown, options: { verbose: boolean }): string {
  const known = err instanceof CommonsError && errorCodeOf(err).known
  const message = err instanceof Error ? err.message : String(err)
  const lines = [known ? `error: ${message}` : `error: internal error: ${message}`]
  const flag = err instanceof CommonsError ? flagOf(err.details?.field) : undefined
  if (flag !== undefined) lines.push(`hint: set it with ${flag}`)
  if (options.verbose) {
    for (let e: unknown = err, depth = 0; e !== undefined && depth < 10; depth++) {
      const text = e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e)
      lines.push(depth === 0 ? text : `caused by: ${text}`)
      e = e instanceof Error ? e.cause : undefined
    }
  } else if (!known) {
    lines.push(
      'hint: this looks like a bug or a damaged data dir; run again with --verbose to see where it happened.',
    )
  }
  return `${lines.join('\n')}\n`
}
