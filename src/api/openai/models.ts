import { Hono } from 'hono'
import type { ResolvedModel } from '../../inference/index.ts'
import { OWNED_BY } from './constants.ts'
import type { OpenAiContext } from './index.ts'

/** GET /v1/models and /v1/models/:model: published models (latest version), with where they run. */
export function modelListRoutes(c: OpenAiContext): Hono {
  const app = new Hono()
  const render = (m: ResolvedModel) => ({
    id: m.modelName,
    object: 'model',
    created: m.created,
    owned_by: OWNED_BY,
    version: m.versionId,
    content_root: m.contentRoot,
    available: c.inference.available(m),
  })
  app.get('/', async (ctx) => ctx.json({ object: 'list', data: (await c.resolver.list()).map(render) }))
  app.get('/:model{.+}', async (ctx) => ctx.json(render(await c.resolver.resolve(ctx.req.param('model')))))
  return app
}
