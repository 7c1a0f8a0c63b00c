import { Hono } from 'hono'
import { z } from 'zod'
import { hasToken } from '../auth.ts'
import { parseBody } from '../parse-body.ts'

const warpBody = z
  .object({
    seconds: z
      .number()
      .int()
      .positive()
      .max(10 * 365 * 24 * 3600),
  })
  .strict()

/** `/api/chain`: chain info, and time warp on the embedded devnet. */
export function chainRoutes(c: {
  info(): Promise<Record<string, unknown>>
  /** The node's API token: only a caller holding it is told the chain's RPC URL. */
  apiToken: string
  /** Moves the devnet's clock; refuses (DevnetOnlyError) on an external chain. */
  warp(seconds: number): Promise<bigint>
}): Hono {
  return new Hono()
    .get('/', async (ctx) => {
      const { rpcUrl, ...info } = await c.info()
      // The embedded chain is driven by its node alone; an RPC URL may also carry a provider's key.
      return ctx.json(hasToken(ctx.req.header('authorization'), c.apiToken) ? { ...info, rpcUrl } : info)
    })
    .post('/warp', async (ctx) => {
      const { seconds } = await parseBody(ctx, warpBody)
      const timestamp = await c.warp(seconds)
      return ctx.json({
        timestamp: timestamp.toString(),
        iso: new Date(Number(timestamp) * 1000).toISOString(),
      })
    })
}
