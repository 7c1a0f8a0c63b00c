import { z } from 'zod'
import { RELEASE_VALUE_DECIMALS } from './constants.ts'

// Inputs of evaluation-gated releases: release policies, evaluator approvals and attestations. Values and
// thresholds are decimals people write (`30.5`, `0.9`), held on chain as fixed point with 6 decimals.

const SCALE = 10n ** BigInt(RELEASE_VALUE_DECIMALS)

/** A signed decimal with up to 6 decimals, as a JSON number or a string, in fixed point (× 10^6). */
export const fixedPoint = (what: string) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const s = String(v).trim()
    const m = /^(-?)(\d{1,30})(?:\.(\d{1,6}))?$/.exec(s)
    if (!m) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must be a decimal number with at most ${RELEASE_VALUE_DECIMALS} decimals (e.g. 30.5), not "${v}"`,
      })
      return z.NEVER
    }
    const fraction = BigInt((m[3] ?? '').padEnd(RELEASE_VALUE_DECIMALS, '0'))
    const value = BigInt(m[2] as string) * SCALE + fraction
    return m[1] === '-' ? -value : value
  })

/** Formats a fixed-point value (× 10^6) as the shortest decimal: 30500000n → "30.5". */
export function formatFixedPoint(v: bigint): string {
  const sign = v < 0n ? '-' : ''
  const abs = v < 0n ? -v : v
  const fraction = (abs % SCALE).toString().padStart(RELEASE_VALUE_DECIMALS, '0').replace(/0+$/, '')
  return `${sign}${abs / SCALE}${fraction ? `.${fraction}` : ''}`
}

/** An evaluation's name: what the suite calls it (`perplexity`, `refusals`). */
export const evaluationName = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9._-]{1,32}$/i,
    'an evaluation name is 1 to 32 letters, digits, dots or dashes (e.g. perplexity)',
  )

/** One requirement of a release policy: `perplexity` at most 30 by 2 evaluators. */
export const releaseRequirement = z
  .object({
    evaluation: evaluationName,
    /** `max`: a value at most the threshold passes (perplexity, loss); `min`: at least (a pass rate). */
    bound: z.enum(['max', 'min'], {
      message: 'a bound is "max" (at most the threshold) or "min" (at least)',
    }),
    threshold: fixedPoint('the threshold'),
    attestations: z.coerce
      .number()
      .int('the number of attestations is a whole number')
      .min(1, 'a requirement needs at least one attestation')
      .max(255)
      .default(1),
  })
  .strict()

export type ReleaseRequirementInput = z.input<typeof releaseRequirement>
