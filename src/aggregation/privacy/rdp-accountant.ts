import { DEFAULT_RDP_ORDERS } from '../constants.ts'
import { InvalidPrivacyParamsError } from './errors.ts'

/** One application of the (possibly subsampled) Gaussian mechanism, repeated `steps` times. */
export interface GaussianMechanism {
  /** Noise std divided by the L2 sensitivity (the clipping norm). */
  readonly noiseMultiplier: number
  /** Poisson sampling probability of each record (or member) per step; 1 = no subsampling. */
  readonly sampleRate: number
  readonly steps: number
}

function logAdd(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b
  if (b === Number.NEGATIVE_INFINITY) return a
  const hi = Math.max(a, b)
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi))
}

function logBinomial(n: number, k: number): number {
  let s = 0
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i)
  return s
}

/**
 * RDP of one step of the Gaussian mechanism at order `alpha`.
 * Without subsampling: alpha / (2 sigma^2) (Mironov, "Renyi Differential Privacy", CSF 2017, Table II).
 * With Poisson subsampling at rate q, for integer alpha only: log(A_alpha) / (alpha - 1) with
 * A_alpha = sum_{k=0..alpha} C(alpha, k) (1 - q)^(alpha - k) q^k exp((k^2 - k) / (2 sigma^2))
 * (Mironov, Talwar, Zhang, "Renyi Differential Privacy of the Sampled Gaussian Mechanism", 2019, Sec. 3.3;
 * the same sum as TensorFlow Privacy's `_compute_log_a_int`). Non-integer orders return Infinity when q < 1,
 * which only removes them from the minimum taken by `rdpToEpsilon`.
 */
export function gaussianRdp(noiseMultiplier: number, sampleRate: number, alpha: number): number {
  const sigma = noiseMultiplier
  if (sampleRate === 0) return 0
  if (sampleRate === 1) return alpha / (2 * sigma * sigma)
  if (!Number.isInteger(alpha)) return Number.POSITIVE_INFINITY
  const q = sampleRate
  let logA = Number.NEGATIVE_INFINITY
  for (let k = 0; k <= alpha; k++) {
    const term =
      logBinomial(alpha, k) +
      (alpha - k) * Math.log1p(-q) +
      k * Math.log(q) +
      (k * k - k) / (2 * sigma * sigma)
    logA = logAdd(logA, term)
  }
  return logA / (alpha - 1)
}

/** The RDP curve (one value per order) of a mechanism, composed over its steps (RDP adds up). */
export function mechanismRdp(m: GaussianMechanism, orders: readonly number[] = DEFAULT_RDP_ORDERS): number[] {
  checkMechanism(m)
  return orders.map((alpha) => m.steps * gaussianRdp(m.noiseMultiplier, m.sampleRate, alpha))
}

/**
 * Converts an RDP curve to (epsilon, delta)-DP: the minimum over orders of
 * rdp + log((alpha - 1) / alpha) - (log(delta) + log(alpha)) / (alpha - 1)
 * (Balle et al., "Hypothesis Testing Interpretations and Renyi DP", AISTATS 2020, Thm. 21; Canonne, Kamath,
 * Steinke 2020, Prop. 12). Tighter than Mironov's rdp + log(1 / delta) / (alpha - 1) by about log(alpha) / alpha.
 */
export function rdpToEpsilon(
  rdp: readonly number[],
  delta: number,
  orders: readonly number[] = DEFAULT_RDP_ORDERS,
): number {
  if (!(delta > 0 && delta < 1)) throw new InvalidPrivacyParamsError(`delta must be in (0, 1), got ${delta}.`)
  let best = Number.POSITIVE_INFINITY
  orders.forEach((alpha, i) => {
    const r = rdp[i]!
    if (!Number.isFinite(r)) return
    const eps = r + Math.log((alpha - 1) / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1)
    if (eps < best) best = eps
  })
  return Math.max(0, best)
}

/**
 * The epsilon spent by `steps` applications of the (subsampled) Gaussian mechanism at the given delta.
 * @example
 * computeEpsilon({ noiseMultiplier: 1.1, sampleRate: 0.01, steps: 1000 }, 1e-5)
 */
export function computeEpsilon(
  m: GaussianMechanism,
  delta: number,
  orders: readonly number[] = DEFAULT_RDP_ORDERS,
): number {
  return rdpToEpsilon(mechanismRdp(m, orders), delta, orders)
}

function checkMechanism(m: GaussianMechanism): void {
  if (!(m.noiseMultiplier > 0) || !Number.isFinite(m.noiseMultiplier)) {
    throw new InvalidPrivacyParamsError(
      `The noise multiplier must be a finite number > 0, got ${m.noiseMultiplier}.`,
    )
  }
  if (!(m.sampleRate >= 0 && m.sampleRate <= 1)) {
    throw new InvalidPrivacyParamsError(`The sample rate must be in [0, 1], got ${m.sampleRate}.`)
  }
  if (!Number.isInteger(m.steps) || m.steps < 0) {
    throw new InvalidPrivacyParamsError(`Steps must be an integer >= 0, got ${m.steps}.`)
  }
}
