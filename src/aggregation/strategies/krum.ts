import type { ClientUpdate } from '../client-update.ts'
import { InvalidStrategyConfigError } from '../errors.ts'
import { weightedSum } from '../kernels/weighted-sum.ts'
import type { Tensor, TensorMap } from '../tensor-map.ts'
import { type RobustInit, RobustStrategy } from './robust-strategy.ts'
import { checkBatch, perTensor } from './update-batch.ts'

/** Options of Krum / multi-Krum. */
export interface KrumInit extends RobustInit {
  /** Byzantine updates tolerated; needs n >= 2f + 3 updates. */
  readonly f: number
  /** Updates selected and averaged: 1 is Krum, more is multi-Krum. Default 1. */
  readonly m?: number
}

/**
 * Krum and multi-Krum (Blanchard et al., "Machine Learning with Adversaries: Byzantine Tolerant Gradient
 * Descent", NeurIPS 2017): score each update by the sum of squared distances to its n - f - 2 nearest
 * others; select the m lowest scores (ties by member id) and average them unweighted.
 */
export class Krum extends RobustStrategy {
  readonly name: string
  readonly f: number
  readonly m: number

  constructor(init: KrumInit) {
    super(init)
    const m = init.m ?? 1
    if (!Number.isInteger(init.f) || init.f < 0) {
      throw new InvalidStrategyConfigError(`Krum f must be an integer >= 0, got ${init.f}.`)
    }
    if (!Number.isInteger(m) || m < 1)
      throw new InvalidStrategyConfigError(`Krum m must be an integer >= 1, got ${m}.`)
    this.f = init.f
    this.m = m
    this.name = m === 1 ? 'krum' : 'multi-krum'
  }

  protected robustDelta(global: TensorMap, updates: readonly ClientUpdate[]) {
    const n = updates.length
    checkBatch(global, updates, this.init.limits ?? {}, true, Math.max(2 * this.f + 3, this.m))
    const dist = pairwiseSquaredDistances(global, updates)
    const neighbours = n - this.f - 2
    const scored = updates.map((u, i) => {
      const row: number[] = []
      for (let j = 0; j < n; j++) if (j !== i) row.push(dist[i * n + j]!)
      row.sort((a, b) => a - b)
      let score = 0
      for (let k = 0; k < neighbours; k++) score += row[k]!
      return { u, score }
    })
    scored.sort((a, b) => a.score - b.score || (a.u.memberId < b.u.memberId ? -1 : 1))
    const selected = scored.slice(0, this.m).map((s) => s.u)
    const weights = selected.map(() => 1 / selected.length)
    const delta: Map<string, Tensor> = perTensor(global, selected, (inputs, out) =>
      weightedSum(inputs, weights, out),
    )
    return { delta, selected }
  }
}

/** The n x n matrix (row-major) of squared L2 distances between updates, over all tensors. */
export function pairwiseSquaredDistances(global: TensorMap, updates: readonly ClientUpdate[]): Float64Array {
  const n = updates.length
  const dist = new Float64Array(n * n)
  for (const name of global.keys()) {
    const data = updates.map((u) => u.tensors.get(name)!.data)
    for (let i = 0; i < n; i++) {
      const a = data[i]!
      for (let j = i + 1; j < n; j++) {
        const b = data[j]!
        let s = 0
        for (let k = 0; k < a.length; k++) {
          const d = a[k]! - b[k]!
          s += d * d
        }
        dist[i * n + j] = dist[i * n + j]! + s
        dist[j * n + i] = dist[i * n + j]!
      }
    }
  }
  return dist
}
