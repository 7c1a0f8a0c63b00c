import { Hono } from 'hono'
import type { DelegateInput, Governance } from '../../governance/index.ts'
import { readJsonObject } from '../parse-body.ts'

/** `/api/shares` (an account's shares), `/api/shares/holders` (the whole cap table) and `/api/delegations` (move voting power). */
export function shareRoutes(c: { governance: Governance }): Hono {
  return new Hono()
    .get('/shares', async (ctx) =>
      ctx.json(
        await c.governance.shares({
          model: ctx.req.query('model') ?? '',
          account: ctx.req.query('account') ?? 'node',
        }),
      ),
    )
    .get('/shares/holders', async (ctx) =>
      ctx.json(await c.governance.capTable({ model: ctx.req.query('model') ?? '' })),
    )
    .post('/delegations', async (ctx) =>
      ctx.json(await c.governance.delegate((await readJsonObject(ctx)) as DelegateInput)),
    )
}
