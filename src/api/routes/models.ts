import { Hono } from 'hono'
import { z } from 'zod'
import type { Governance } from '../../chain/governance.ts'
import { parseBody } from '../parse-body.ts'

const numberish = z.union([z.string(), z.number()]).transform(String)

const createModelBody = z
  .object({
    account: z.string().default('node'),
    name: z.string().min(1).max(64),
    symbol: z.string().min(1).max(16).optional(),
    cardURI: z.string().max(512).optional(),
    owners: z
      .array(z.object({ owner: z.string(), shares: numberish }))
      .min(1)
      .max(64),
    settings: z
      .object({
        votingDelay: numberish,
        votingPeriod: numberish,
        proposalThreshold: numberish,
        quorumPercent: numberish,
        timelockDelay: numberish,
      })
      .partial()
      .optional(),
  })
  .strict()

const addVersionBody = z
  .object({
    account: z.string().default('node'),
    contentRoot: z.string(),
    format: z.string().default('gguf'),
    size: numberish,
    cardURI: z.string().max(512).optional(),
  })
  .strict()

/** `/api/models`: list, create, show, versions. */
export function modelRoutes(c: { governance: Governance }): Hono {
  return new Hono()
    .get('/', async (ctx) => ctx.json({ models: await c.governance.listModels() }))
    .post('/', async (ctx) => {
      const body = await parseBody(ctx, createModelBody)
      return ctx.json(await c.governance.createModel(body), 201)
    })
    .get('/:id', async (ctx) => ctx.json(await c.governance.showModel(ctx.req.param('id'))))
    .get('/:id/versions', async (ctx) =>
      ctx.json({ versions: await c.governance.listVersions(ctx.req.param('id')) }),
    )
    .post('/:id/versions', async (ctx) => {
      const body = await parseBody(ctx, addVersionBody)
      return ctx.json(await c.governance.addVersion({ ...body, model: ctx.req.param('id') }), 201)
    })
}
