import { Hono } from 'hono'
import type { Governance } from '../../governance/index.ts'

/** `/api/nodes`: the registered nodes; `/api/nodes/membership`: the commons's admission policy and members. */
export function nodeRoutes(c: { governance: Governance }): Hono {
  return new Hono()
    .get('/', async (ctx) => ctx.json({ nodes: await c.governance.listNodes() }))
    .get('/membership', async (ctx) =>
      ctx.json(await c.governance.membership(ctx.req.query('account') || 'node')),
    )
}
