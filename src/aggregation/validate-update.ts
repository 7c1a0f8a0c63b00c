import type { ClientUpdate } from './client-update.ts'
import { BYTES_PER_PARAM } from './constants.ts'
import {
  DuplicateUpdateError,
  InvalidExampleCountError,
  MissingTensorError,
  UnknownTensorError,
  UpdateNormExceededError,
  UpdateNotFiniteError,
  UpdateShapeMismatchError,
  UpdateTooLargeError,
} from './errors.ts'
import { sameShape, shapeSize, type TensorMap } from './tensor-map.ts'

/** Bounds a round puts on each update. */
export interface UpdateLimits {
  /** Largest accepted L2 norm of the whole update (all tensors as one vector). */
  readonly maxNorm?: number
  /** Largest accepted payload in bytes (float32 values only). */
  readonly maxBytes?: number
}

/** What validation measured on an accepted update. */
export interface UpdateStats {
  readonly l2Norm: number
  readonly numParams: number
}

/**
 * Checks names, shapes, example count and size: everything that costs O(tensors), not O(values).
 * Throws the named error of the first problem found.
 */
export function validateUpdateStructure(
  global: TensorMap,
  update: ClientUpdate,
  limits: UpdateLimits = {},
): number {
  const who = `Update from ${update.memberId}`
  if (!Number.isFinite(update.numExamples) || update.numExamples <= 0) {
    throw new InvalidExampleCountError(
      `${who} reports ${update.numExamples} examples; it must be a positive number.`,
      {
        details: { memberId: update.memberId, numExamples: update.numExamples },
      },
    )
  }
  for (const name of update.tensors.keys()) {
    if (!global.has(name)) {
      throw new UnknownTensorError(`${who} has tensor "${name}", which the global model does not have.`, {
        details: { memberId: update.memberId, tensor: name },
      })
    }
  }
  let numParams = 0
  for (const [name, g] of global) {
    const u = update.tensors.get(name)
    if (u === undefined) {
      throw new MissingTensorError(
        `${who} lacks tensor "${name}"; send a delta (zeros if unchanged) for every tensor.`,
        {
          details: { memberId: update.memberId, tensor: name },
        },
      )
    }
    if (!sameShape(u.shape, g.shape) || u.data.length !== shapeSize(g.shape)) {
      throw new UpdateShapeMismatchError(
        `${who}: tensor "${name}" has shape [${u.shape.join(', ')}] with ${u.data.length} values; the global model's is [${g.shape.join(', ')}].`,
        { details: { memberId: update.memberId, tensor: name, shape: [...u.shape], expected: [...g.shape] } },
      )
    }
    numParams += u.data.length
  }
  const bytes = numParams * BYTES_PER_PARAM
  if (limits.maxBytes !== undefined && bytes > limits.maxBytes) {
    throw new UpdateTooLargeError(`${who} is ${bytes} bytes; the round accepts at most ${limits.maxBytes}.`, {
      details: { memberId: update.memberId, bytes, maxBytes: limits.maxBytes },
    })
  }
  return numParams
}

/**
 * Validates one update against the global model: names and shapes match, every value is finite, the L2
 * norm is within `limits.maxNorm` and the size within `limits.maxBytes`. Throws a named error saying what
 * was wrong; returns the measured norm.
 * @example
 * const { l2Norm } = validateUpdate(global, update, { maxNorm: 10, maxBytes: 64 * 2 ** 20 })
 */
export function validateUpdate(
  global: TensorMap,
  update: ClientUpdate,
  limits: UpdateLimits = {},
): UpdateStats {
  const numParams = validateUpdateStructure(global, update, limits)
  let sum = 0
  for (const [name, t] of update.tensors) {
    const d = t.data
    let s = 0
    for (let i = 0; i < d.length; i++) {
      const x = d[i]!
      s += x * x
    }
    // NaN and infinities propagate into the float64 sum of squares (float32 values cannot overflow
    // it), so one check per tensor is enough; the slow path then names the first bad value.
    if (!Number.isFinite(s)) throwNotFinite(update.memberId, name, d)
    sum += s
  }
  const norm = Math.sqrt(sum)
  if (limits.maxNorm !== undefined && norm > limits.maxNorm) {
    throw new UpdateNormExceededError(
      `Update from ${update.memberId} has L2 norm ${norm.toPrecision(6)}, above the bound ${limits.maxNorm}; clip it before sending.`,
      { details: { memberId: update.memberId, norm, maxNorm: limits.maxNorm } },
    )
  }
  return { l2Norm: norm, numParams }
}

/** Validates a batch: each update as `validateUpdate`, plus at most one update per member. */
export function validateUpdates(
  global: TensorMap,
  updates: readonly ClientUpdate[],
  limits: UpdateLimits = {},
): UpdateStats[] {
  assertDistinctMembers(updates)
  return updates.map((u) => validateUpdate(global, u, limits))
}

/** Throws DuplicateUpdateError when two updates share a member id. */
export function assertDistinctMembers(updates: readonly ClientUpdate[]): void {
  const seen = new Set<string>()
  for (const u of updates) {
    if (seen.has(u.memberId)) {
      throw new DuplicateUpdateError(`Member ${u.memberId} sent more than one update this round; keep one.`, {
        details: { memberId: u.memberId },
      })
    }
    seen.add(u.memberId)
  }
}

/** Throws UpdateNotFiniteError naming the first non-finite value of `data`, if any. */
export function assertFinite(memberId: string, tensor: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throwNotFinite(memberId, tensor, data)
  }
}

function throwNotFinite(memberId: string, tensor: string, data: Float32Array): never {
  const index = data.findIndex((x) => !Number.isFinite(x))
  throw new UpdateNotFiniteError(
    `Update from ${memberId}: tensor "${tensor}" holds ${data[index]} at index ${index}; every value must be finite.`,
    { details: { memberId, tensor, index } },
  )
}
