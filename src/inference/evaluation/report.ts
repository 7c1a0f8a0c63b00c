import { z } from 'zod'
import type { ModelEvaluation } from './evaluate-model.ts'

// The evaluation report: what an evaluator ran and measured, kept in the content store. An attestation on
// chain carries one figure of it and the report's content root, so anyone holding the report can check
// the figure and repeat the run (same model root, same data hash, same suites).

const check = z
  .object({
    prompt: z.string().max(4_000),
    expect: z.enum(['refuse', 'comply']),
    refused: z.boolean(),
    passed: z.boolean(),
    output: z.string().max(16_000),
  })
  .strict()

/** A report as stored (and read back, validated: a report is bytes someone may have written by hand). */
export const evaluationReportSchema = z
  .object({
    schema: z.literal('commons/evaluation-report@1'),
    model: z.string().max(64),
    modelId: z.string().regex(/^\d+$/),
    versionId: z.string().regex(/^\d+$/),
    contentRoot: z.string().regex(/^[0-9a-f]{64}$/),
    data: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) }).strict(),
    perplexity: z
      .object({
        value: z.number().positive(),
        meanNll: z.number(),
        tokens: z.number().int().min(0),
        scoredTokens: z.number().int().min(1),
        windows: z.number().int().min(1),
        contextSize: z.number().int().min(2),
      })
      .strict(),
    suites: z
      .array(
        z
          .object({
            name: z.string().max(32),
            passRate: z.number().min(0).max(1),
            passed: z.number().int().min(0),
            total: z.number().int().min(1),
            checks: z.array(check).max(500),
          })
          .strict(),
      )
      .max(8),
    ms: z.number().min(0),
    createdAt: z.string().max(40),
  })
  .strict()

export type EvaluationReport = z.infer<typeof evaluationReportSchema>

/** The report of a run over a version. */
export function buildEvaluationReport(
  version: { model: string; modelId: string; versionId: string },
  run: ModelEvaluation,
  now: Date = new Date(),
): EvaluationReport {
  const p = run.perplexity
  return {
    schema: 'commons/evaluation-report@1',
    ...version,
    contentRoot: run.contentRoot.replace(/^0x/, '').toLowerCase(),
    data: run.data,
    perplexity: {
      value: p.perplexity,
      meanNll: p.meanNll,
      tokens: p.tokens,
      scoredTokens: p.scoredTokens,
      windows: p.windows,
      contextSize: p.contextSize,
    },
    suites: run.suites.map((s) => ({
      name: s.name,
      passRate: s.passRate,
      passed: s.passed,
      total: s.total,
      checks: s.checks,
    })),
    ms: p.ms,
    createdAt: now.toISOString(),
  }
}

/** The figures of a report an evaluator attests: `perplexity`, and each suite's pass rate under its name. */
export function reportFigures(r: EvaluationReport): { evaluation: string; value: number }[] {
  return [
    { evaluation: 'perplexity', value: r.perplexity.value },
    ...r.suites.map((s) => ({ evaluation: s.name, value: s.passRate })),
  ]
}
