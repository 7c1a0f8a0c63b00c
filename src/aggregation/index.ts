/**
 * Federated aggregation, pure: no I/O, no other domain. Model weights are one type everywhere, a
 * `TensorMap` (GGUF tensor name -> { shape, data: Float32Array }); trainers, the round protocol and the
 * GGUF import/export all speak it. Strategies (FedAvg, FedProx, FedAdam, trimmed mean, coordinate median,
 * Krum/multi-Krum), secure aggregation (secagg/), bucketed secure+robust aggregation (secure-buckets.ts),
 * clipping and DP noise (privacy/) live beside this file.
 */
import { NotEnoughUpdatesError } from './errors.ts'
import { clipUpdate } from './privacy/clip-update.ts'
import { addGaussianNoise, distributedNoiseStd } from './privacy/gaussian-noise.ts'
import { computeEpsilon } from './privacy/rdp-accountant.ts'
import { SecureSumOutOfBoundsError } from './secagg/errors.ts'
import { decodeFixedPoint, encodeFixedPoint, fixedPointScale } from './secagg/fixed-point.ts'
import {
  checkNeighbourhood,
  defaultNeighbourhoodDegree,
  inducesConnected,
  neighbourhoodGraph,
  neighbourhoodThreshold,
} from './secagg/neighbourhood.ts'
import { SecureAggregationClient } from './secagg/secure-aggregation-client.ts'
import { SecureAggregator } from './secagg/secure-aggregator.ts'
import { checkSecureSum, secureSumBounds } from './secagg/sum-bounds.ts'
import { bucketMeansAsUpdates, planBuckets } from './secure-buckets.ts'
import { CoordinateMedian } from './strategies/coordinate-median.ts'
import { FedAdam } from './strategies/fedadam.ts'
import { FedAvg } from './strategies/fedavg.ts'
import { FedProx } from './strategies/fedprox.ts'
import { Krum } from './strategies/krum.ts'
import { TrimmedMean } from './strategies/trimmed-mean.ts'
import type { Strategy } from './strategy.ts'
import { type StrategyConfig, strategyConfigSchema } from './strategy-config.ts'
import { flattenTensorMap, l2Norm, parameterCount, unflattenTensorMap } from './tensor-map.ts'

export type { ClientUpdate } from './client-update.ts'
export type { AdvertisedKeys, EncryptedShare } from './secagg/messages.ts'
export type { NeighbourhoodInit } from './secagg/neighbourhood.ts'
export type { SumBounds, SumBoundsInit } from './secagg/sum-bounds.ts'
export type { Bucket, BucketSum } from './secure-buckets.ts'
export type { AggregateResult, ClientConfig, RoundInfo, Strategy, StrategyState } from './strategy.ts'
export type { StrategyConfig } from './strategy-config.ts'
export type { Tensor, TensorMap } from './tensor-map.ts'
export {
  addGaussianNoise,
  bucketMeansAsUpdates,
  checkNeighbourhood,
  checkSecureSum,
  clipUpdate,
  computeEpsilon,
  decodeFixedPoint,
  defaultNeighbourhoodDegree,
  distributedNoiseStd,
  encodeFixedPoint,
  fixedPointScale,
  flattenTensorMap,
  inducesConnected,
  l2Norm,
  NotEnoughUpdatesError,
  neighbourhoodGraph,
  neighbourhoodThreshold,
  parameterCount,
  planBuckets,
  SecureAggregationClient,
  SecureAggregator,
  SecureSumOutOfBoundsError,
  secureSumBounds,
  strategyConfigSchema,
  unflattenTensorMap,
}

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
