import { l2Norm, type Tensor, type TensorMap } from '../tensor-map.ts'
import { InvalidPrivacyParamsError } from './errors.ts'

/** A clipped copy of an update and what clipping did. */
export interface ClippedUpdate {
  readonly tensors: Map<string, Tensor>
  /** The norm before clipping. */
  readonly norm: number
  /** The factor applied: min(1, maxNorm / norm). */
  readonly factor: number
}

/**
 * Scales an update (all tensors as one vector) down to L2 norm <= maxNorm, as DP-FedAvg does per client
 * (McMahan et al., "Learning Differentially Private Recurrent Language Models", ICLR 2018). Returns a copy.
 * @example
 * const { tensors } = clipUpdate(update.tensors, 1.0)
 */
export function clipUpdate(tensors: TensorMap, maxNorm: number): ClippedUpdate {
  if (!(maxNorm > 0) || !Number.isFinite(maxNorm)) {
    throw new InvalidPrivacyParamsError(`The clipping norm must be a finite number > 0, got ${maxNorm}.`)
  }
  const norm = l2Norm(tensors)
  // The float32 product can land a hair above maxNorm; shrink the factor by one float32 ulp's worth.
  const factor = norm > maxNorm ? (maxNorm / norm) * (1 - 2 ** -22) : 1
  const out = new Map<string, Tensor>()
  for (const [name, t] of tensors) {
    const d = t.data
    const o = new Float32Array(d.length)
    for (let i = 0; i < d.length; i++) o[i] = d[i]! * factor
    out.set(name, { shape: t.shape, data: o })
  }
  return { tensors: out, norm, factor }
}
