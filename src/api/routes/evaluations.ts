import { Hono } from 'hono'
import { z } from 'zod'
import type { EvaluationReport } from '../../inference/index.ts'
import { parseBody } from '../parse-body.ts'

/** What the evaluation routes need: the node's evaluation use cases. */
export interface EvaluationRouteComponents {
  evaluations: {
    run(input: { model: string; data: string; suites?: string[]; contextSize?: number }): Promise<{
      reportRoot: string
      report: EvaluationReport
    }>
    attest(input: { account: string; model: string; report: string }): Promise<unknown>
  }
}

const path = z.string().min(1).max(4096)
const modelRef = z.string().trim().min(1).max(100)
const runBody = z
  .object({
    /** `<model>@<version>`. */
    model: modelRef,
    /** Held-out text file on the node's machine. */
    data: path,
    /** Evaluation suite files (JSON) on the node's machine. */
    suites: z.array(path).max(8).optional(),
    contextSize: z.number().int().min(8).max(32_768).optional(),
  })
  .strict()
const attestBody = z
  .object({
    account: z.string().trim().min(1).max(100).default('node'),
    model: modelRef,
    report: z.string().trim().min(1).max(80),
  })
  .strict()

/** `/api/eval`: run an evaluation of a version with llama.cpp (report kept in the store), attest its figures. */
export function evaluationRoutes(c: EvaluationRouteComponents): Hono {
  return new Hono()
    .post('/run', async (ctx) => ctx.json(await c.evaluations.run(await parseBody(ctx, runBody)), 201))
    .post('/attest', async (ctx) =>
      ctx.json(await c.evaluations.attest(await parseBody(ctx, attestBody)), 201),
    )
}
