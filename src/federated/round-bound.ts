import { ROUND_MARGIN_S } from './constants.ts'
import type { RoundTimeouts } from './secure-sum-session.ts'

/**
 * The longest a coordinator with these phase deadlines goes without a chain write while it is alive:
 * result delivery of the previous round (unmask deadline), then keys + shares + training + unmask, plus
 * ROUND_MARGIN_S for aggregation and the commit. Its job's takeover timeout must exceed this. Pure.
 * @example maxRoundSeconds(DEFAULT_TIMEOUTS) // 780
 */
export function maxRoundSeconds(t: RoundTimeouts): number {
  return Math.ceil((t.keysMs + t.sharesMs + t.trainMs + 2 * t.unmaskMs) / 1000) + ROUND_MARGIN_S
}
