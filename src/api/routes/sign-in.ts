import { Hono } from 'hono'
import { z } from 'zod'
import { limitBody } from '../body-limit.ts'
import { parseBody } from '../parse-body.ts'
import type { SignInSessions } from '../sign-in/sign-in-sessions.ts'

const SIGN_IN_BODY_BYTES = 8 * 1024

/** Body of `POST /api/auth/siwe`: the EIP-4361 message as signed, and its EIP-191 signature. */
export const signInBody = z
  .object({
    message: z.string().min(1).max(4_096),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, '65 bytes of 0x-prefixed hex'),
  })
  .strict()

/**
 * `/api/auth`: Sign-In with Ethereum for consumers of `/v1`. Open (a consumer has no API token): `GET
 * /nonce` hands out a single-use nonce, `POST /siwe` trades a signed message for a session token,
 * `POST /signout` ends it. The message must name the host the request is addressed to.
 */
export function signInRoutes(c: { sessions: SignInSessions }): Hono {
  return new Hono()
    .use(limitBody(SIGN_IN_BODY_BYTES))
    .get('/nonce', (ctx) => ctx.json({ nonce: c.sessions.nonce() }))
    .post('/siwe', async (ctx) => {
      const body = await parseBody(ctx, signInBody)
      const domain = ctx.req.header('host') ?? new URL(ctx.req.url).host
      const session = await c.sessions.signIn({ ...body, domain })
      return ctx.json({
        token: session.token,
        address: session.address,
        expiresAt: session.expiresAt.toISOString(),
      })
    })
    .post('/signout', (ctx) => {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.header('authorization') ?? '')?.[1]
      if (token !== undefined) c.sessions.signOut(token)
      return ctx.body(null, 204)
    })
}
