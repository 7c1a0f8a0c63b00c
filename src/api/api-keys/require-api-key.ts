import type { MiddlewareHandler } from 'hono'
import { UnauthorizedError } from '../../errors.ts'
import { SignInSessions } from '../sign-in/sign-in-sessions.ts'
import type { ApiKeyPrincipal, ApiKeyStore } from './api-key-store.ts'

/**
 * How /v1 authenticates: API keys (each bound to the address it acts for) and Sign-In with Ethereum
 * session tokens, or `open` (no key; for loopback demos only).
 */
export type ApiAuth =
  | { mode: 'keys'; store: Pick<ApiKeyStore, 'verify'>; sessions?: Pick<SignInSessions, 'verify'> }
  | { mode: 'open'; consumer?: `0x${string}` }

/** Hono variables set by the middleware. */
export type ApiKeyVariables = { apiKey: ApiKeyPrincipal | undefined }

/**
 * Requires `Authorization: Bearer mc_…` with a valid, unrevoked key (401 otherwise) unless the auth is
 * open; the key's principal (id, label, address) is available as `c.get('apiKey')`.
 */
export function requireApiKey(auth: ApiAuth): MiddlewareHandler<{ Variables: ApiKeyVariables }> {
  return async (c, next) => {
    if (auth.mode === 'open') {
      c.set(
        'apiKey',
        auth.consumer === undefined
          ? undefined
          : { id: 'open', label: 'open /v1 (the node operator)', address: auth.consumer },
      )
      return next()
    }
    const header = c.req.header('authorization') ?? ''
    const key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
    if (key === undefined) {
      throw new UnauthorizedError(
        'This API needs an API key or a session: send `Authorization: Bearer <key>` (the node owner issues keys with `commons key create`; a consumer signs in with Ethereum at /api/auth/siwe).',
      )
    }
    if (SignInSessions.isSessionToken(key)) {
      const session = auth.sessions?.verify(key)
      if (session === undefined) {
        throw new UnauthorizedError('The session is invalid or expired; sign in again (POST /api/auth/siwe).')
      }
      c.set('apiKey', {
        id: `session:${session.id}`,
        label: 'sign-in with ethereum',
        address: session.address,
      })
      return next()
    }
    const principal = await auth.store.verify(key)
    if (principal === undefined) {
      throw new UnauthorizedError('The API key is invalid or revoked; ask the node owner for a new one.')
    }
    c.set('apiKey', principal)
    return next()
  }
}
