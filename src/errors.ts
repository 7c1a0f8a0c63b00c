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

/** Input from outside (CLI flag, HTTP body, frame, file) did not match what was expected. */
export class InvalidInputError extends CommonsError {}

/** A thing that was looked up does not exist. */
export class NotFoundError extends CommonsError {}

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
