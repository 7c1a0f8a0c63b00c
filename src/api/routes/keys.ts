import { Hono } from 'hono'
import { z } from 'zod'
import type { ApiKeyRecord, ApiKeyStore } from '../api-keys/api-key-store.ts'
import { requireToken } from '../auth.ts'
import { parseBody } from '../parse-body.ts'

/** What the key routes need: the node's own API key store (the one `/v1` verifies against). */
export interface KeyRouteComponents {
  keys: Pick<ApiKeyStore, 'create' | 'list' | 'revoke'>
  /** The node's API token: every key route needs it, reads included (they list who holds keys). */
  apiToken: string
}

/** Body of `POST /api/keys`: the label, and the EVM address the key acts for. */
export const createKeyBody = z
  .object({
    label: z.string().min(1).max(200),
    address: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte address')
      .optional(),
  })
  .strict()

/**
 * `/api/keys`: issue, list and revoke the node's API keys for `/v1`, so the CLI writes through a running
 * node instead of under it. The key itself is returned once, by create; its hash never leaves the node.
 */
export function keyRoutes(c: KeyRouteComponents): Hono {
  return new Hono()
    .use(requireToken(c.apiToken))
    .get('/', async (ctx) => ctx.json({ keys: (await c.keys.list()).map(publicRecord) }))
    .post('/', async (ctx) => {
      const body = await parseBody(ctx, createKeyBody)
      const { key, record } = await c.keys.create(body)
      return ctx.json({ key, ...publicRecord(record) }, 201)
    })
    .post('/:id/revoke', async (ctx) => ctx.json(publicRecord(await c.keys.revoke(ctx.req.param('id')))))
}

function publicRecord({ hash: _hash, ...record }: ApiKeyRecord): Omit<ApiKeyRecord, 'hash'> {
  return record
}
