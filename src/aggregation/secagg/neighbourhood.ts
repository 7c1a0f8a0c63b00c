import { createHash } from 'node:crypto'
import { SecAggConfigError } from './errors.ts'

/*
 * SecAgg+ sparse neighbourhoods (Bell et al., "Secure Single-Server Aggregation with (Poly)Logarithmic
 * Overhead", CCS 2020; Flower's `secaggplus` workflow): each member agrees keys, Shamir-shares its secrets
 * and masks only with its k neighbours in a public graph that no member picks, so its work grows with k =
 * O(log n) instead of n. The graph here is a Harary graph H(k, n) (each member joined to the k/2 nearest on
 * each side of a ring) over the members in a pseudorandom order drawn from the round's public seed: k-regular,
 * symmetric (a pair of masks cancels only if both ends use it) and k-connected, so fewer than k dropouts
 * never split the survivors.
 *
 * Privacy condition (checked by the coordinator and by every member before it reveals a share):
 * - a member's secrets are shared among its neighbourhood (itself and its k neighbours, k + 1 holders) with
 *   threshold t, 2t > k + 1: no two disjoint groups of holders can each reach t, so a coordinator cannot get
 *   both a member's self-mask seed and its mask key, as in the full protocol with 2t > n;
 * - the survivors must induce a connected subgraph: an unmasked sum then covers every survivor, because the
 *   pairwise masks of a proper subset of survivors cancel only if no graph edge leaves that subset.
 */

/** A sparse neighbourhood setting: the degree k of the public graph and the seed the graph is drawn from. */
export interface NeighbourhoodInit {
  /** Neighbours of each member, even, >= 2. */
  readonly degree: number
  /** Public seed of the round (e.g. the global model hash and the round number): no member picks it. */
  readonly seed: string
  /** Every member the sum was planned over (the graph is fixed before anyone advertises keys). */
  readonly members: readonly string[]
}

/** The degree k = 2 * ceil(log2 n) SecAgg+ suggests for n members, capped at a complete graph. */
export function defaultNeighbourhoodDegree(members: number): number {
  const k = 2 * Math.ceil(Math.log2(Math.max(2, members)))
  return Math.min(k, members - 1 - ((members - 1) % 2))
}

/** The smallest threshold that satisfies the privacy condition for degree k: a strict majority of k + 1. */
export function neighbourhoodThreshold(degree: number): number {
  return Math.floor((degree + 1) / 2) + 1
}

/** Checks degree and threshold against the privacy condition; throws SecAggConfigError. */
export function checkNeighbourhood(degree: number, threshold: number, members: number): void {
  if (!Number.isInteger(degree) || degree < 2 || degree % 2 !== 0) {
    throw new SecAggConfigError(`The neighbourhood degree must be an even integer >= 2, got ${degree}.`)
  }
  if (degree >= members) {
    throw new SecAggConfigError(
      `A neighbourhood degree of ${degree} needs more than ${degree} members, got ${members}; use the full protocol.`,
    )
  }
  if (threshold * 2 <= degree + 1 || threshold > degree + 1) {
    throw new SecAggConfigError(
      `Threshold ${threshold} must exceed half of the ${degree + 1} holders of a neighbourhood (and not exceed them), or a coordinator could learn both secrets of one member.`,
    )
  }
}

/** The public graph: each member's neighbours (symmetric, `degree` each, never itself). */
export function neighbourhoodGraph(init: NeighbourhoodInit): Map<string, Set<string>> {
  const ids = [...new Set(init.members)].sort()
  if (ids.length !== init.members.length) throw new SecAggConfigError('The planned members are not distinct.')
  if (
    !Number.isInteger(init.degree) ||
    init.degree < 2 ||
    init.degree % 2 !== 0 ||
    init.degree >= ids.length
  ) {
    throw new SecAggConfigError(
      `The neighbourhood degree must be even, >= 2 and below the ${ids.length} members, got ${init.degree}.`,
    )
  }
  // Fisher-Yates with SHA-256 of (seed, step) as the coin: anyone recomputes the same order.
  const order = [...ids]
  for (let i = order.length - 1; i > 0; i--) {
    const h = createHash('sha256').update(`commons/secagg/neighbourhood/v1|${init.seed}|${i}`).digest()
    const j = Number(h.readBigUInt64BE(0) % BigInt(i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const graph = new Map(ids.map((id) => [id, new Set<string>()]))
  const n = order.length
  for (let p = 0; p < n; p++) {
    for (let d = 1; d <= init.degree / 2; d++) {
      const a = order[p]!
      const b = order[(p + d) % n]!
      graph.get(a)!.add(b)
      graph.get(b)!.add(a)
    }
  }
  return graph
}

/** True when `nodes` induce a connected subgraph of `graph` (the privacy condition on survivors). */
export function inducesConnected(
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  nodes: readonly string[],
): boolean {
  const inside = new Set(nodes)
  if (inside.size === 0) return false
  const first = nodes[0]!
  const seen = new Set([first])
  const stack = [first]
  while (stack.length > 0) {
    for (const next of graph.get(stack.pop()!) ?? []) {
      if (inside.has(next) && !seen.has(next)) {
        seen.add(next)
        stack.push(next)
      }
    }
  }
  return seen.size === inside.size
}
