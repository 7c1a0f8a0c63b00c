import { Hono } from 'hono'
import type { Governance } from '../../chain/governance.ts'

/** `/api/nodes`: the registered nodes. */
export function nodeRoutes(c: { governance: Governance }): Hono {
  return new Hono().get('/', async (ctx) => ctx.json({ nodes: await c.governance.listNodes() }))
}
