import { timingSafeEqual } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { UnauthorizedError } from '../errors.ts'

/**
 * Requires `Authorization: Bearer <token>` on state-changing requests (they sign with the node's local
 * keys). Reads stay open: they only show public chain data.
 */
export function requireTokenForWrites(token: string): MiddlewareHandler {
  const required = requireToken(token)
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next()
    return required(c, next)
  }
}

/** Whether an Authorization header carries the node's API token (compared in constant time). */
export function hasToken(header: string | undefined, token: string): boolean {
  const expected = Buffer.from(token)
  const h = header ?? ''
  const given = Buffer.from(h.startsWith('Bearer ') ? h.slice(7) : '')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** Requires `Authorization: Bearer <token>` on every request (for routes whose reads are private too). */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (!hasToken(c.req.header('authorization'), token)) {
      throw new UnauthorizedError(
        'This request needs the node’s API token: send `Authorization: Bearer <token>` (the token is in <data>/api-token; the CLI sends it for you).',
      )
    }
    return next()
  }
}
