import { Hono } from 'hono'
import { z } from 'zod'
import { NotFoundError, UnauthorizedError } from '../../errors.ts'
import { ConsumerRateLimitedError, RateLimiter } from '../../policy/index.ts'
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

/** Body of `POST /api/auth/terms`: a consumer's signed EIP-712 Acceptance of a model's terms. */
export const termsAcceptanceBody = z
  .object({
    modelId: z.string().regex(/^\d{1,30}$/, 'a model id (decimal)'),
    termsHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'the 32-byte hash of the terms (0x + 64 hex)'),
    deadline: z.string().regex(/^\d{1,20}$/, 'unix seconds'),
    signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, '65 bytes of 0x-prefixed hex'),
  })
  .strict()

/** What the terms relay needs: who the caller is, and the node's relaying transaction. */
export interface TermsRelay {
  /** The address a bearer API key or session acts for (undefined: unknown or none). */
  consumerOf(token: string): Promise<`0x${string}` | undefined>
  relay(p: {
    modelId: bigint
    consumer: `0x${string}`
    termsHash: `0x${string}`
    deadline: bigint
    signature: `0x${string}`
  }): Promise<`0x${string}`>
}

/**
 * `/api/auth`: Sign-In with Ethereum for consumers of `/v1`. Open (a consumer has no API token): `GET
 * /nonce` hands out a single-use nonce, `POST /siwe` trades a signed message for a session token,
 * `POST /signout` ends it. The message must name the host the request is addressed to.
 */
export function signInRoutes(c: { sessions: SignInSessions; terms?: TermsRelay }): Hono {
  // The relay spends the node's gas: one relay per consumer and model a minute.
  const relays = new RateLimiter(10_000)
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
    .post('/terms', async (ctx) => {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.header('authorization') ?? '')?.[1]
      const consumer =
        token === undefined || c.terms === undefined ? undefined : await c.terms.consumerOf(token)
      if (c.terms === undefined) throw new NotFoundError('This node relays no terms acceptance.')
      if (consumer === undefined) {
        throw new UnauthorizedError(
          'Relaying a terms acceptance needs the consumer signed in: send `Authorization: Bearer <session or API key bound to your address>`.',
        )
      }
      const body = await parseBody(ctx, termsAcceptanceBody)
      const wait = relays.take(`${body.modelId}:${consumer.toLowerCase()}`, 1)
      if (wait > 0)
        throw new ConsumerRateLimitedError(
          `One terms acceptance a minute per model; retry in ${wait} s.`,
          wait,
        )
      const transactionHash = await c.terms.relay({
        modelId: BigInt(body.modelId),
        consumer,
        termsHash: body.termsHash as `0x${string}`,
        deadline: BigInt(body.deadline),
        signature: body.signature as `0x${string}`,
      })
      return ctx.json({ consumer, transactionHash })
    })
    .post('/signout', (ctx) => {
      const token = /^Bearer\s+(\S+)\s*$/i.exec(ctx.req.header('authorization') ?? '')?.[1]
      if (token !== undefined) c.sessions.signOut(token)
      return ctx.body(null, 204)
    })
}
