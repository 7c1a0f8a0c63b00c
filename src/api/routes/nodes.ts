import { Hono } from 'hono'
import type { Governance } from '../../governance/index.ts'

/** `/api/nodes`: the registered nodes. */
export function nodeRoutes(c: { governance: Governance }): Hono {
  return new Hono().get('/', async (ctx) => ctx.json({ nodes: await c.governance.listNodes() }))
}
