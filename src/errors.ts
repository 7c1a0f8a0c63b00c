/**
 * Base class of every error Model Commons raises on purpose. `name` is the stable code that the
 * boundaries (HTTP, CLI exit codes, wire frames) translate; `message` says what happened and what to do.
 */
export class CommonsError extends Error {
  /** Extra structured detail safe to show to the caller (never secrets). */
  readonly details: Record<string, unknown> | undefined

  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = new.target.name
    this.details = options.details
  }
}

// The categories. Every error class of the project extends one of them (a test enforces it), so the one
// table at the boundaries (`error-codes.ts`) can never miss a class: a class without an entry of its own
// takes its category's status, OpenAI error type and exit code.

/** Input from outside (CLI flag, HTTP body, frame, file) did not match what was expected. */
export class InvalidInputError extends CommonsError {}

/** A thing that was looked up does not exist. */
export class NotFoundError extends CommonsError {}

/** No model has that id or name (or no published version): the one model concept every domain shares. */
export class ModelNotFoundError extends NotFoundError {}

/** The request was understood but refused in the current state (wrong proposal state, a contract said no). */
export class RefusedError extends CommonsError {}

/** The caller did not present a valid credential (API key, token, passphrase, signature). */
export class UnauthorizedError extends CommonsError {}

/** The caller is known but not allowed to do this (not admitted, not the coordinator). */
export class PermissionDeniedError extends CommonsError {}

/** A service this operation needs (chain, node, engine, serving peer) cannot take it now; try again later. */
export class UnavailableError extends CommonsError {}

/** A peer answered with something wrong: bad data, a broken protocol, or nothing in time. */
export class PeerFailureError extends CommonsError {}

/** A deliberate internal failure (corrupt local state, a disposed resource used): a bug or a damaged data dir. */
export class InternalError extends CommonsError {}

/** The operation was cancelled through its AbortSignal. */
export class AbortedError extends CommonsError {
  constructor(message = 'The operation was aborted.', options: { cause?: unknown } = {}) {
    super(message, options)
  }
}

/** Throws AbortedError when the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortedError(undefined, { cause: signal.reason })
}
