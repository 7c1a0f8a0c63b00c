import type { MiddlewareHandler } from 'hono'
import { UnsupportedMediaTypeError } from './errors.ts'

/**
 * Requires `Content-Type: application/json` on POST. A browser sends a cross-site form or `text/plain` POST
 * without a CORS preflight; requiring JSON makes it preflight (which this API never grants).
 */
export function requireJson(): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method !== 'POST') return next()
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') {
      throw new UnsupportedMediaTypeError(
        `The request body must be JSON, sent with \`Content-Type: application/json\` (got ${type ? `"${type}"` : 'none'}).`,
      )
    }
    return next()
  }
}
