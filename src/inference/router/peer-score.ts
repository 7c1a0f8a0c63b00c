/**
 * Routing score of a peer from what this node measured of it, with the peer's announced load as a
 * bounded hint. Pure: the router keeps the measurements (PeerScoreboard) and asks for scores.
 */

/** What this node measured of one peer (never what the peer said). */
export interface PeerMeasure {
  /** EWMA of an attempt's wall time per token received, first-token wait included (ms). */
  msPerToken: number | undefined
  /** Attempts measured so far. */
  samples: number
  /** Generations this node has running on the peer now. */
  inFlight: number
  /** Recent failures, decayed by half on each success. */
  failures: number
}

/** Weight of a new sample in the EWMA. */
export const EWMA_ALPHA = 0.3

/** Most an announced load can worsen a score: load 1 multiplies it by 1 + this (load 0 leaves it). */
export const LOAD_HINT_WEIGHT = 0.5

/**
 * Score of a peer never measured: the best measured peer's, but no worse than this (ms per token), so a
 * peer measured slower than that is not preferred to one never tried (which gets tried and measured).
 */
export const UNMEASURED_PRIOR_MS_PER_TOKEN = 20

/** A measure with nothing known yet. */
export function emptyMeasure(): PeerMeasure {
  return { msPerToken: undefined, samples: 0, inFlight: 0, failures: 0 }
}

/** The measure after a finished attempt that took `ms` for `tokens` tokens. */
export function recordSuccess(m: PeerMeasure, ms: number, tokens: number): PeerMeasure {
  const sample = ms / Math.max(1, tokens)
  const msPerToken = m.msPerToken === undefined ? sample : m.msPerToken + EWMA_ALPHA * (sample - m.msPerToken)
  return { ...m, msPerToken, samples: m.samples + 1, failures: m.failures / 2 }
}

/** The measure after a failed attempt. */
export function recordFailure(m: PeerMeasure): PeerMeasure {
  return { ...m, failures: m.failures + 1 }
}

/** The prior of unmeasured peers given the measured ones' ms per token. */
export function unmeasuredPrior(
  measured: readonly (number | undefined)[],
  cap = UNMEASURED_PRIOR_MS_PER_TOKEN,
): number {
  let best = cap
  for (const ms of measured) if (ms !== undefined && ms < best) best = ms
  return best
}

/**
 * Expected cost of sending the next generation to the peer (lower is better): measured ms per token (or
 * the prior), times (1 + generations in flight there), times (1 + failures), times the load hint
 * (1 + LOAD_HINT_WEIGHT * announced load, load clamped to 0..1). A peer announcing load 0 gains at most
 * a factor 1.5 over one announcing 1; measured speed and in-flight count decide the rest.
 */
export function peerScore(m: PeerMeasure | undefined, announcedLoad: number, prior: number): number {
  const base = m?.msPerToken ?? prior
  const load = Math.min(1, Math.max(0, Number.isFinite(announcedLoad) ? announcedLoad : 1))
  return base * (1 + (m?.inFlight ?? 0)) * (1 + (m?.failures ?? 0)) * (1 + LOAD_HINT_WEIGHT * load)
}
