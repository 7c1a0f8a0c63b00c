import { Hono } from 'hono'
import type { AddVersionInput, CreateModelInput, Governance } from '../../governance/index.ts'
import { readJsonObject } from '../parse-body.ts'

// Bodies go to the use cases as read: governance validates them with the schemas the CLI uses too.

/** `/api/models`: list, create, show (versions with cards and attestations), release policy, versions. */
export function modelRoutes(c: { governance: Governance }): Hono {
  return new Hono()
    .get('/', async (ctx) => ctx.json({ models: await c.governance.listModels() }))
    .post('/', async (ctx) => {
      const body = (await readJsonObject(ctx)) as CreateModelInput
      return ctx.json(await c.governance.createModel(body), 201)
    })
    .get('/:id', async (ctx) => ctx.json(await c.governance.showModel(ctx.req.param('id'))))
    .get('/:id/release-policy', async (ctx) =>
      ctx.json(await c.governance.releasePolicy(ctx.req.param('id'))),
    )
    .get('/:id/versions', async (ctx) =>
      ctx.json({ versions: await c.governance.listVersions(ctx.req.param('id')) }),
    )
    .post('/:id/versions', async (ctx) => {
      const body = { ...(await readJsonObject(ctx)), model: ctx.req.param('id') } as AddVersionInput
      return ctx.json(await c.governance.addVersion(body), 201)
    })
}
