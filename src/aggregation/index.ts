/**
 * Federated aggregation, pure: no I/O, no other domain. Model weights are one type everywhere, a
 * `TensorMap` (GGUF tensor name -> { shape, data: Float32Array }); trainers, the round protocol and the
 * GGUF import/export all speak it. Strategies (FedAvg, FedProx, FedAdam, trimmed mean, coordinate median,
 * Krum/multi-Krum), secure aggregation (secagg/), bucketed secure+robust aggregation (secure-buckets.ts),
 * clipping and DP noise (privacy/) live beside this file.
 */
import { CoordinateMedian } from './strategies/coordinate-median.ts'
import { FedAdam } from './strategies/fedadam.ts'
import { FedAvg } from './strategies/fedavg.ts'
import { FedProx } from './strategies/fedprox.ts'
import { Krum } from './strategies/krum.ts'
import { TrimmedMean } from './strategies/trimmed-mean.ts'
import type { Strategy } from './strategy.ts'
import type { StrategyConfig } from './strategy-config.ts'

export type { ClientUpdate } from './client-update.ts'
export { NotEnoughUpdatesError } from './errors.ts'
export { clipUpdate } from './privacy/clip-update.ts'
export { addGaussianNoise, distributedNoiseStd } from './privacy/gaussian-noise.ts'
export { decodeFixedPoint, encodeFixedPoint, fixedPointScale } from './secagg/fixed-point.ts'
export type { AdvertisedKeys, EncryptedShare } from './secagg/messages.ts'
export { SecureAggregationClient } from './secagg/secure-aggregation-client.ts'
export { SecureAggregator } from './secagg/secure-aggregator.ts'
export { type Bucket, type BucketSum, bucketMeansAsUpdates, planBuckets } from './secure-buckets.ts'
export type { AggregateResult, ClientConfig, RoundInfo, Strategy, StrategyState } from './strategy.ts'
export { type StrategyConfig, strategyConfigSchema } from './strategy-config.ts'
export {
  flattenTensorMap,
  l2Norm,
  parameterCount,
  type Tensor,
  type TensorMap,
  unflattenTensorMap,
} from './tensor-map.ts'

/** Options of `createStrategy`: which rule, with its parameters (a job's `strategy` section). */
export type StrategyInit = StrategyConfig

/**
 * Builds the aggregation strategy a job names. Validate untrusted config with `strategyConfigSchema` first.
 * @example
 * const strategy = createStrategy({ kind: 'krum', f: 1, m: 3 })
 */
export function createStrategy(init: StrategyInit): Strategy {
  switch (init.kind) {
    case 'fedavg':
      return new FedAvg(init)
    case 'fedprox':
      return new FedProx(init)
    case 'fedadam':
      return new FedAdam(init)
    case 'trimmed-mean':
      return new TrimmedMean(init)
    case 'coordinate-median':
      return new CoordinateMedian(init)
    case 'krum':
      return new Krum(init)
  }
}
