import { Hono } from 'hono'
import { z } from 'zod'
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
  /** Moves the devnet's clock; refuses (DevnetOnlyError) on an external chain. */
  warp(seconds: number): Promise<bigint>
}): Hono {
  return new Hono()
    .get('/', async (ctx) => ctx.json(await c.info()))
    .post('/warp', async (ctx) => {
      const { seconds } = await parseBody(ctx, warpBody)
      const timestamp = await c.warp(seconds)
      return ctx.json({
        timestamp: timestamp.toString(),
        iso: new Date(Number(timestamp) * 1000).toISOString(),
      })
    })
}
