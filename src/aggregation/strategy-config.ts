import { z } from 'zod'

const limits = z
  .object({ maxNorm: z.number().positive().optional(), maxBytes: z.number().int().positive().optional() })
  .strict()
const clientConfig = z
  .object({
    localEpochs: z.number().int().positive().optional(),
    learningRate: z.number().positive().optional(),
  })
  .strict()
const common = { limits: limits.optional(), clientConfig: clientConfig.optional() }

/** The schema of a job's `strategy` section; parse job files and frames with it at the edge. */
export const strategyConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fedavg'), ...common }).strict(),
  z.object({ kind: z.literal('fedprox'), proximalMu: z.number().min(0), ...common }).strict(),
  z
    .object({
      kind: z.literal('fedadam'),
      eta: z.number().positive().optional(),
      beta1: z.number().min(0).lt(1).optional(),
      beta2: z.number().min(0).lt(1).optional(),
      tau: z.number().positive().optional(),
      ...common,
    })
    .strict(),
  z.object({ kind: z.literal('trimmed-mean'), beta: z.number().min(0).lt(0.5), ...common }).strict(),
  z.object({ kind: z.literal('coordinate-median'), ...common }).strict(),
  z
    .object({
      kind: z.literal('krum'),
      f: z.number().int().min(0),
      m: z.number().int().min(1).optional(),
      ...common,
    })
    .strict(),
])

/** Which aggregation rule a job uses, with its parameters. */
export type StrategyConfig = z.infer<typeof strategyConfigSchema>
