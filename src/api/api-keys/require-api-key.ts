import type { MiddlewareHandler } from 'hono'
import { UnauthorizedError } from '../../errors.ts'
import type { ApiKeyPrincipal, ApiKeyStore } from './api-key-store.ts'

/** How /v1 authenticates: API keys, or `open` (no key; for loopback demos only). */
export type ApiAuth = { mode: 'keys'; store: Pick<ApiKeyStore, 'verify'> } | { mode: 'open' }

/** Hono variables set by the middleware. */
export type ApiKeyVariables = { apiKey: ApiKeyPrincipal | undefined }

/**
 * Requires `Authorization: Bearer mc_…` with a valid, unrevoked key (401 otherwise) unless the auth is
 * open; the key's principal (id, label, address) is available as `c.get('apiKey')`.
 */
export function requireApiKey(auth: ApiAuth): MiddlewareHandler<{ Variables: ApiKeyVariables }> {
  return async (c, next) => {
    if (auth.mode === 'open') {
      c.set('apiKey', undefined)
      return next()
    }
    const header = c.req.header('authorization') ?? ''
    const key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
    if (key === undefined) {
      throw new UnauthorizedError(
        'This API needs an API key: send `Authorization: Bearer <key>` (the node owner issues keys with `commons key create`).',
      )
    }
    const principal = await auth.store.verify(key)
    if (principal === undefined) {
      throw new UnauthorizedError('The API key is invalid or revoked; ask the node owner for a new one.')
    }
    c.set('apiKey', principal)
    return next()
  }
}
