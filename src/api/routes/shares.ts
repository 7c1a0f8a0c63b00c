import { Hono } from 'hono'
import { z } from 'zod'
import type { Governance } from '../../chain/governance.ts'
import { InvalidInputError } from '../../errors.ts'
import { parseBody } from '../parse-body.ts'

const delegateBody = z
  .object({
    account: z.string().default('node'),
    model: z.union([z.string(), z.number()]).transform(String),
    to: z.string(),
  })
  .strict()

/** `/api/shares` (who holds what) and `/api/delegations` (move voting power). */
export function shareRoutes(c: { governance: Governance }): Hono {
  return new Hono()
    .get('/shares', async (ctx) => {
      const model = ctx.req.query('model')
      const account = ctx.req.query('account') ?? 'node'
      if (model === undefined) throw new InvalidInputError('Pass ?model=<id or name>.')
      return ctx.json(await c.governance.shares({ model, account }))
    })
    .post('/delegations', async (ctx) =>
      ctx.json(await c.governance.delegate(await parseBody(ctx, delegateBody))),
    )
}
