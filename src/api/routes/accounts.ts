import { Hono } from 'hono'

/** `/api/accounts`: the local accounts this node can sign for (names and addresses only). */
export function accountRoutes(c: { accounts(): Promise<{ name: string; address: string }[]> }): Hono {
  return new Hono().get('/', async (ctx) => ctx.json({ accounts: await c.accounts() }))
}
