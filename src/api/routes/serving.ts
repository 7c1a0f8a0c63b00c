import { Hono } from 'hono'
import { z } from 'zod'
import { readServingList, updateServingList } from '../../inference/index.ts'
import { parseBody } from '../parse-body.ts'

/** What the serving routes need: the node's serving list file, and a nudge to load what it names. */
export interface ServingRouteComponents {
  /** The serving list file (`<data>/serving.json`). */
  path: string
  /** Loads (or unloads) what the list now names, without waiting for the next periodic refresh. */
  refresh(): void
  /** What is loaded, and the published versions that did not load here (the previous version keeps serving). */
  status?(): { serving: unknown[]; failures: unknown[] }
}

const updateBody = z.object({ model: z.string().min(1).max(256), remove: z.boolean().optional() }).strict()

/** `/api/serving`: the models this node loads and announces; `commons serve` writes through it. */
export function servingRoutes(c: ServingRouteComponents): Hono {
  return new Hono()
    .get('/', async (ctx) => ctx.json({ models: await readServingList(c.path), ...c.status?.() }))
    .post('/', async (ctx) => {
      const body = await parseBody(ctx, updateBody)
      const models = await updateServingList(c.path, body.model, { remove: body.remove })
      c.refresh()
      return ctx.json({ models })
    })
}
