import type { ClientUpdate } from '../client-update.ts'
import { NotEnoughUpdatesError } from '../errors.ts'
import type { AggregateMetrics, ClientConfig, RoundInfo } from '../strategy.ts'
import { l2Norm, type Tensor, type TensorMap } from '../tensor-map.ts'
import {
  assertDistinctMembers,
  assertFinite,
  type UpdateLimits,
  validateUpdate,
  validateUpdateStructure,
} from '../validate-update.ts'

/*
 * The checks and bookkeeping every strategy shares: validating a batch of updates, building per-member
 * configs, averaging client metrics, and assembling the round's metrics.
 */

/**
 * Validates a batch before aggregation. `scanValues` checks every value (finite, norm bound); robust rules
 * need it because NaN breaks ordering. Mean rules skip it and call `assertFiniteResult` on their output
 * instead: a non-finite input always makes the weighted sum non-finite.
 */
export function checkBatch(
  global: TensorMap,
  updates: readonly ClientUpdate[],
  limits: UpdateLimits,
  scanValues: boolean,
  minUpdates = 1,
): void {
  if (updates.length < minUpdates) {
    throw new NotEnoughUpdatesError(
      `Aggregation got ${updates.length} updates; this strategy needs at least ${minUpdates}.`,
      {
        details: { updates: updates.length, minUpdates },
      },
    )
  }
  assertDistinctMembers(updates)
  const scan = scanValues || limits.maxNorm !== undefined
  for (const u of updates) {
    if (scan) validateUpdate(global, u, limits)
    else validateUpdateStructure(global, u, limits)
  }
}

/** After a mean-type aggregation without a value scan: if the result is not finite, names the culprit. */
export function assertFiniteResult(delta: TensorMap, updates: readonly ClientUpdate[]): void {
  for (const [name, t] of delta) {
    const d = t.data
    let s = 0
    for (let i = 0; i < d.length; i++) s += d[i]! * 0
    if (Number.isNaN(s)) {
      for (const u of updates) assertFinite(u.memberId, name, u.tensors.get(name)!.data)
    }
  }
}

/** One config per member: the base config with the round number. */
export function configsFor(info: RoundInfo, base: Omit<ClientConfig, 'round'>): Map<string, ClientConfig> {
  const out = new Map<string, ClientConfig>()
  for (const id of info.memberIds) out.set(id, { ...base, round: info.round })
  return out
}

/** Example-weighted means of the numeric client metrics (a metric counts where members report it). */
export function averageClientMetrics(updates: readonly ClientUpdate[]): Record<string, number> {
  const sums = new Map<string, { s: number; w: number }>()
  for (const u of updates) {
    for (const [k, v] of Object.entries(u.metrics ?? {})) {
      if (!Number.isFinite(v)) continue
      const e = sums.get(k) ?? { s: 0, w: 0 }
      e.s += v * u.numExamples
      e.w += u.numExamples
      sums.set(k, e)
    }
  }
  const out: Record<string, number> = {}
  for (const [k, { s, w }] of [...sums].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = s / w
  return out
}

/** Round metrics for the updates a rule used. */
export function roundMetrics(
  all: readonly ClientUpdate[],
  selected: readonly ClientUpdate[],
  delta: TensorMap,
): AggregateMetrics {
  return {
    numUpdates: all.length,
    totalExamples: selected.reduce((s, u) => s + u.numExamples, 0),
    selected: selected.map((u) => u.memberId),
    clientMetrics: averageClientMetrics(selected),
    deltaNorm: l2Norm(delta),
  }
}

/** Builds a delta tensor by tensor: `fill(inputs, out)` gets each update's data for one tensor. */
export function perTensor(
  global: TensorMap,
  updates: readonly ClientUpdate[],
  fill: (inputs: Float32Array[], out: Float32Array) => void,
): Map<string, Tensor> {
  const delta = new Map<string, Tensor>()
  for (const [name, g] of global) {
    const out = new Float32Array(g.data.length)
    fill(
      updates.map((u) => u.tensors.get(name)!.data),
      out,
    )
    delta.set(name, { shape: g.shape, data: out })
  }
  return delta
}
