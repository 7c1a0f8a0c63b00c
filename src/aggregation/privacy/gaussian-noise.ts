import { randomFillSync } from 'node:crypto'
import type { Tensor, TensorMap } from '../tensor-map.ts'
import { InvalidPrivacyParamsError } from './errors.ts'

/*
 * Gaussian samples from the OS CSPRNG via the Box-Muller transform. Each pair of normals uses 53 random
 * bits for the radius uniform (so the tail reaches ~8.6 sigma instead of the ~6.7 a 32-bit uniform allows)
 * and 32 bits for the angle. Samples are computed in float64 and rounded to float32. Known limit: float
 * rounding leaks in the low bits of noisy values (Mironov, CCS 2012); acceptable for model updates, where
 * secure aggregation also hides individual noisy values.
 */

const WORDS_PER_PAIR = 3
const BATCH_PAIRS = 1 << 14
const TWO_PI = 2 * Math.PI

/** Writes N(0, std^2) samples from a cryptographic RNG into `out`. */
export function fillGaussian(out: Float32Array, std: number): void {
  if (!(std >= 0) || !Number.isFinite(std)) {
    throw new InvalidPrivacyParamsError(
      `The noise standard deviation must be a finite number >= 0, got ${std}.`,
    )
  }
  const words = new Uint32Array(BATCH_PAIRS * WORDS_PER_PAIR)
  for (let start = 0; start < out.length; start += 2 * BATCH_PAIRS) {
    randomFillSync(words)
    const end = Math.min(out.length, start + 2 * BATCH_PAIRS)
    for (let i = start, w = 0; i < end; i += 2, w += WORDS_PER_PAIR) {
      // u in (0, 1]: 53-bit uniform, never 0, so the log is finite.
      const u = ((words[w]! >>> 5) * 67108864 + (words[w + 1]! >>> 6) + 1) / 9007199254740992
      const r = std * Math.sqrt(-2 * Math.log(u))
      const theta = (TWO_PI * words[w + 2]!) / 4294967296
      out[i] = r * Math.cos(theta)
      if (i + 1 < end) out[i + 1] = r * Math.sin(theta)
    }
  }
}

/**
 * A copy of `tensors` plus i.i.d. N(0, std^2) noise on every value; for DP-FedAvg, std = z * C with
 * noise multiplier z and clipping norm C.
 * @example
 * const noisy = addGaussianNoise(clipped.tensors, noiseMultiplier * clipNorm)
 */
export function addGaussianNoise(tensors: TensorMap, std: number): Map<string, Tensor> {
  const out = new Map<string, Tensor>()
  for (const [name, t] of tensors) {
    const noise = new Float32Array(t.data.length)
    fillGaussian(noise, std)
    const d = t.data
    for (let i = 0; i < d.length; i++) noise[i] = noise[i]! + d[i]!
    out.set(name, { shape: t.shape, data: noise })
  }
  return out
}

/**
 * The noise std each member adds when noise is distributed under secure aggregation: the sum of at least
 * `minContributors` members (the SecAgg threshold) then carries std >= noiseMultiplier * clipNorm, the
 * central DP-FedAvg guarantee, without anyone seeing a less noisy individual update in the clear.
 * @example
 * const std = distributedNoiseStd(1.0, clipNorm, threshold)
 */
export function distributedNoiseStd(
  noiseMultiplier: number,
  clipNorm: number,
  minContributors: number,
): number {
  if (
    !(noiseMultiplier > 0) ||
    !(clipNorm > 0) ||
    !Number.isInteger(minContributors) ||
    minContributors < 1
  ) {
    throw new InvalidPrivacyParamsError(
      `Distributed noise needs noiseMultiplier > 0, clipNorm > 0 and an integer minContributors >= 1, got ${noiseMultiplier}, ${clipNorm}, ${minContributors}.`,
    )
  }
  return (noiseMultiplier * clipNorm) / Math.sqrt(minContributors)
}
