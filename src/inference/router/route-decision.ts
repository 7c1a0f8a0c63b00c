import { type PeerMeasure, peerScore, unmeasuredPrior } from './peer-score.ts'

/** A peer that announces serving the model version, as the router weighs it. */
export interface RouteCandidate {
  peerId: string
  /** Announced load, 0 (idle) to 1 (saturated). */
  load: number
  /** Measured round-trip time (ms), if known. */
  latencyMs: number | undefined
  /** Misbehaviour penalty from the PeerDirectory (higher is worse). */
  penalty: number
  /** Announced price per 1000 tokens (wei). */
  priceWeiPer1kTokens: bigint
  /** What this node measured of the peer (speed, generations in flight, failures), if anything. */
  measured?: PeerMeasure
}

/** Where to run a generation. */
export type Route = { kind: 'local' } | { kind: 'peer'; peerId: string } | { kind: 'none' }

/** Everything the decision looks at: plain data, no sockets. */
export interface RouteInput {
  /** The model version is loaded on this node. */
  localAvailable: boolean
  /** This node's load for the model, 0 to 1 (1 = its queue is full). */
  localLoad: number
  candidates: readonly RouteCandidate[]
  /** Peers (and `local`) that already failed this request. */
  exclude: ReadonlySet<string>
  /** The most an unmeasured peer's prior may be (ms per token); default UNMEASURED_PRIOR_MS_PER_TOKEN. */
  unmeasuredPriorCap?: number
}

/** Key under which a failed local attempt is excluded. */
export const LOCAL = 'local'

/**
 * Orders peers best first: penalty, then the score from what this node measured (peer-score.ts; the
 * announced load is only a bounded hint in it), latency (unknown last), price, then PeerId for a
 * deterministic tie-break. `prior` is the score of an unmeasured peer (unmeasuredPrior of the candidates).
 */
export function compareCandidates(
  a: RouteCandidate,
  b: RouteCandidate,
  prior = unmeasuredPrior([a.measured?.msPerToken, b.measured?.msPerToken]),
): number {
  return (
    a.penalty - b.penalty ||
    peerScore(a.measured, a.load, prior) - peerScore(b.measured, b.load, prior) ||
    (a.latencyMs ?? Number.POSITIVE_INFINITY) - (b.latencyMs ?? Number.POSITIVE_INFINITY) ||
    (a.priceWeiPer1kTokens < b.priceWeiPer1kTokens
      ? -1
      : a.priceWeiPer1kTokens > b.priceWeiPer1kTokens
        ? 1
        : 0) ||
    (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
  )
}

/**
 * Picks where a generation runs: here when the model is loaded and this node is not saturated (no
 * network hop), else the best peer not yet tried, else here anyway when loaded (the queue answers 429).
 */
export function chooseRoute(input: RouteInput): Route {
  const local = input.localAvailable && !input.exclude.has(LOCAL)
  if (local && input.localLoad < 1) return { kind: 'local' }
  const open = input.candidates.filter((c) => !input.exclude.has(c.peerId))
  const prior = unmeasuredPrior(
    open.map((c) => c.measured?.msPerToken),
    input.unmeasuredPriorCap,
  )
  const peers = open.sort((a, b) => compareCandidates(a, b, prior))
  const best = peers[0]
  if (best !== undefined && (!local || best.load < 1)) return { kind: 'peer', peerId: best.peerId }
  return local ? { kind: 'local' } : { kind: 'none' }
}
