import { isAbsolute } from 'node:path'
import { Hono } from 'hono'
import { z } from 'zod'
import { addDatasetSchema, type DataCommons, versionRefSchema } from '../../data/index.ts'
import { InvalidInputError } from '../../errors.ts'
import { parseBody } from '../parse-body.ts'

const addBody = addDatasetSchema.extend({
  path: z.string().min(1).max(4096).refine(isAbsolute, 'must be an absolute path on the node'),
})

/** What the routes need from the node. */
export interface DatasetRoutesComponents {
  data: DataCommons
}

/**
 * `/api/datasets`: list and show datasets, register one of this node's (only its manifest root goes on
 * chain), withdraw one (answers with the proposals offered: revoke the marked versions, retrain clean), and
 * the remedy of an earlier withdrawal.
 */
export function datasetRoutes(c: DatasetRoutesComponents): Hono {
  return new Hono()
    .get('/', async (ctx) => ctx.json({ datasets: await c.data.list() }))
    .post('/', async (ctx) => ctx.json(await c.data.add(await parseBody(ctx, addBody)), 201))
    .get('/:id', async (ctx) => ctx.json(await c.data.show(ctx.req.param('id'))))
    .post('/:id/withdraw', async (ctx) => ctx.json(await c.data.withdraw(ctx.req.param('id'))))
    .get('/:id/remedy', async (ctx) => ctx.json(await c.data.remedy(ctx.req.param('id'))))
}

/** `/api/lineage?model=&version=`: which datasets, members, rounds and base version produced a version. */
export function lineageRoutes(c: DatasetRoutesComponents): Hono {
  return new Hono().get('/', async (ctx) => {
    const parsed = versionRefSchema.safeParse({
      model: ctx.req.query('model'),
      version: ctx.req.query('version'),
    })
    if (!parsed.success) {
      throw new InvalidInputError(
        `Give ?model=<id or name>&version=<id>: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
      )
    }
    return ctx.json(await c.data.lineage(parsed.data))
  })
}
