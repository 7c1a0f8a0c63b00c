import { isAbsolute } from 'node:path'
import { Hono } from 'hono'
import { z } from 'zod'
import { InvalidInputError } from '../../errors.ts'
import type { TrainingService } from '../../federated/index.ts'
import { parseBody } from '../parse-body.ts'

const localPath = z.string().min(1).max(4096).refine(isAbsolute, 'must be an absolute path on the node')

const createBody = z
  .object({
    /** The job spec (validated by the service against trainingJobSpecSchema). */
    spec: z.record(z.string(), z.unknown()),
    /** Base model GGUF on the node's disk. */
    baseGguf: localPath,
    /** This node's own training data (it is also a participant). */
    corpusPath: localPath.optional(),
    /** Start coordinating at once (default true). */
    start: z.boolean().default(true),
  })
  .strict()

const joinBody = z.union([
  z.object({ corpusPath: localPath }).strict(),
  z
    .object({
      /** Registered datasets on the node's disk (checked against their manifest roots on chain). */
      datasets: z
        .array(z.object({ id: z.string().regex(/^\d{1,30}$/), path: localPath }).strict())
        .min(1)
        .max(16),
    })
    .strict(),
])

function jobIdOf(value: string): bigint {
  if (!/^\d{1,30}$/.test(value))
    throw new InvalidInputError(`"${value}" is not a training job id (a number).`)
  return BigInt(value)
}

/** What the routes need from the node. */
export interface TrainingRoutesComponents {
  training: Pick<TrainingService, 'list' | 'status' | 'createJob' | 'joinJob' | 'startJob' | 'startTakeOver'>
}

/**
 * `/api/training`: list jobs, show one (round i of n, members, losses), create and start a job, join one
 * with local data, resume one as coordinator (taking over from a dead coordinator).
 */
export function trainingRoutes(c: TrainingRoutesComponents): Hono {
  return new Hono()
    .get('/', async (ctx) => ctx.json({ jobs: await c.training.list() }))
    .post('/', async (ctx) => {
      const body = await parseBody(ctx, createBody)
      const jobId = await c.training.createJob(body.spec, { baseGguf: body.baseGguf })
      if (body.corpusPath !== undefined) await c.training.joinJob(jobId, { corpusPath: body.corpusPath })
      if (body.start) c.training.startJob(jobId)
      return ctx.json({ jobId: jobId.toString(), started: body.start }, 201)
    })
    .get('/:id', async (ctx) => ctx.json(await c.training.status(jobIdOf(ctx.req.param('id')))))
    .post('/:id/join', async (ctx) => {
      const jobId = jobIdOf(ctx.req.param('id'))
      const body = await parseBody(ctx, joinBody)
      await c.training.joinJob(
        jobId,
        'corpusPath' in body
          ? { corpusPath: body.corpusPath }
          : { datasets: body.datasets.map((d) => ({ id: BigInt(d.id), path: d.path })) },
      )
      return ctx.json({ jobId: jobId.toString(), joined: true })
    })
    .post('/:id/resume', async (ctx) => {
      const jobId = jobIdOf(ctx.req.param('id'))
      c.training.startTakeOver(jobId)
      return ctx.json({ jobId: jobId.toString(), resuming: true }, 202)
    })
}
