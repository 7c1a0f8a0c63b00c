import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { InvalidInputError } from '../errors.ts'

/** Bodies up to this size are read and discarded before refusing, so the client gets the 4xx instead of a reset. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024

/** Refuses bodies over `maxBytes` with an InvalidInputError (400), declared or streamed. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => new InvalidInputError(`The request body is over ${maxBytes} bytes.`)
  const streamed = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge()
    },
  })
  return async (c, next) => {
    const declared = Number(c.req.header('content-length') ?? Number.NaN)
    if (declared > maxBytes) {
      if (declared <= DRAIN_LIMIT_BYTES) await c.req.raw.arrayBuffer().catch(() => {})
      throw tooLarge()
    }
    return streamed(c, next)
  }
}
