import { SecAggConfigError } from './errors.ts'

/*
 * Secure aggregation adds vectors mod 2^32, so floats are encoded as signed fixed-point integers in
 * two's complement. With every coordinate clamped to |x| <= maxAbs and at most N summands, the true sum
 * satisfies |sum| <= N * maxAbs; choosing scale with N * maxAbs * scale <= 2^31 - 1 keeps it inside the
 * signed 32-bit range, so the mod 2^32 sum decodes exactly. The scale is a power of two so decoding is an
 * exact division. Rounding error per coordinate of the sum is at most N / (2 * scale).
 * Clients clip updates to L2 norm C before masking, which bounds every coordinate by C: maxAbs = C (plus
 * a few noise standard deviations when DP noise is added before masking).
 */

const INT32_MAX = 2 ** 31 - 1

/**
 * The largest power-of-two scale at which `maxSummands` values bounded by `maxAbs` sum without overflow.
 * @example
 * const scale = fixedPointScale(1.0, 100) // 2^24
 */
export function fixedPointScale(maxAbs: number, maxSummands: number): number {
  if (!(maxAbs > 0) || !Number.isFinite(maxAbs) || !Number.isInteger(maxSummands) || maxSummands < 1) {
    throw new SecAggConfigError(
      `Fixed-point needs maxAbs > 0 and an integer maxSummands >= 1, got ${maxAbs}, ${maxSummands}.`,
    )
  }
  const exponent = Math.floor(Math.log2(INT32_MAX / (maxAbs * maxSummands)))
  if (exponent < 0) {
    throw new SecAggConfigError(
      `${maxSummands} summands of magnitude ${maxAbs} overflow 32-bit fixed point; lower the clip bound.`,
    )
  }
  return 2 ** exponent
}

/** Encodes floats as fixed point mod 2^32, clamping each value to [-maxAbs, maxAbs] first. */
export function encodeFixedPoint(values: Float32Array, scale: number, maxAbs: number): Uint32Array {
  const out = new Uint32Array(values.length)
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!
    const c = Math.min(maxAbs, Math.max(-maxAbs, x))
    // Uint32Array stores ToUint32(v), which is v mod 2^32: negatives become two's complement.
    out[i] = Math.round(c * scale)
  }
  return out
}

/**
 * Decodes a fixed-point sum mod 2^32 back to floats (the inverse of summing `encodeFixedPoint` outputs),
 * divided by `divisor` in the same pass (e.g. the number of summands, for their mean).
 */
export function decodeFixedPoint(sum: Uint32Array, scale: number, divisor = 1): Float32Array {
  const out = new Float32Array(sum.length)
  const inv = 1 / (scale * divisor)
  for (let i = 0; i < sum.length; i++) out[i] = (sum[i]! | 0) * inv
  return out
}
