import { SecAggConfigError, SecureSumOutOfBoundsError } from './errors.ts'

/*
 * Secure aggregation hides each input, so a member's clipping cannot be checked on its input: a member may
 * mask any 32-bit vector, and the mod 2^32 sum wraps. What can be checked is the decoded sum. Every member
 * that follows the protocol contributes a delta of L2 norm <= C (clipped), plus Gaussian noise of std s per
 * coordinate when the job asks for it, clamped per coordinate to maxAbs and rounded to 1/scale. So a sum of
 * n such inputs satisfies, per coordinate, |sum_i| <= n * maxAbs + n / (2 scale), and in L2 norm
 *   ||sum|| <= n * (C + s * (sqrt(d) + 6)) + n * sqrt(d) / (2 scale)
 * (triangle inequality; ||N(0, s^2 I_d)|| <= s (sqrt(d) + 6) fails with probability < 2e-8 per member).
 * A sum outside these bounds cannot come from members that follow the protocol and is discarded.
 *
 * What this guarantees, with m = sum / n the mean delta the round applies and h the sum of the other
 * members' deltas: ||m|| <= C + s (sqrt(d) + 6) + sqrt(d) / (2 scale) whatever any member sends, so one
 * member (or several colluding) moves the mean from h / n by at most (2n - 1) C / n < 2C in L2 without
 * noise (an honest member moves it by at most C / n). It does not identify the member, does not stop an
 * in-bound poisoned update (use the robust bucketed mode for that), and lets one member make rounds fail.
 */

/** Extra noise standard deviations allowed over sqrt(d) in the L2 bound of a member's noise vector. */
const NOISE_NORM_SLACK = 6

/** What a round's inputs are bounded by. */
export interface SumBoundsInit {
  /** Members whose inputs are in the sum. */
  readonly count: number
  /** L2 clip bound C of each member's delta. */
  readonly clipNorm: number
  /** Per-coordinate clamp of each member's encoded value. */
  readonly maxAbs: number
  /** Std of the Gaussian noise each member adds per coordinate (0: none). */
  readonly noiseStd: number
  /** Fixed-point scale of the encoding. */
  readonly scale: number
}

/** The bounds a decoded sum of `count` protocol-following inputs of dimension `dim` satisfies. */
export interface SumBounds {
  readonly maxAbsCoordinate: number
  readonly maxL2: number
}

/** The per-coordinate and L2 bounds of a decoded sum (see the comment at the top of this file). */
export function secureSumBounds(init: SumBoundsInit, dim: number): SumBounds {
  const { count, clipNorm, maxAbs, noiseStd, scale } = init
  if (!(count >= 1 && clipNorm > 0 && maxAbs > 0 && noiseStd >= 0 && scale > 0 && dim >= 1)) {
    throw new SecAggConfigError(
      `Sum bounds need count >= 1, clipNorm > 0, maxAbs > 0, noiseStd >= 0, scale > 0 and dim >= 1.`,
    )
  }
  const rounding = count / (2 * scale)
  const root = Math.sqrt(dim)
  return {
    maxAbsCoordinate: count * maxAbs + rounding,
    maxL2: count * (clipNorm + noiseStd * (root + NOISE_NORM_SLACK)) + rounding * root,
  }
}

/**
 * Throws SecureSumOutOfBoundsError unless the decoded sum of `init.count` inputs lies within the bounds
 * protocol-following members produce; returns the sum's L2 norm.
 */
export function checkSecureSum(sum: Float32Array, init: SumBoundsInit): number {
  const bounds = secureSumBounds(init, sum.length)
  let squares = 0
  let worst = 0
  for (let i = 0; i < sum.length; i++) {
    const x = sum[i]!
    squares += x * x
    const a = Math.abs(x)
    if (a > worst) worst = a
  }
  const norm = Math.sqrt(squares)
  if (!(worst <= bounds.maxAbsCoordinate) || !(norm <= bounds.maxL2)) {
    throw new SecureSumOutOfBoundsError(
      `The secure sum of ${init.count} inputs has L2 norm ${norm.toPrecision(4)} and a coordinate of ${worst.toPrecision(4)}; inputs clipped to ${init.clipNorm} allow at most ${bounds.maxL2.toPrecision(4)} and ${bounds.maxAbsCoordinate.toPrecision(4)}. A member sent an out-of-range input; the sum is discarded.`,
      { details: { count: init.count, norm, maxCoordinate: worst, ...bounds } },
    )
  }
  return norm
}
