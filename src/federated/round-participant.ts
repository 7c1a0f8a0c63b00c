import type { PrivateKey } from '@libp2p/interface'
import { clipUpdate } from '../aggregation/privacy/clip-update.ts'
import { addGaussianNoise } from '../aggregation/privacy/gaussian-noise.ts'
import { encodeFixedPoint } from '../aggregation/secagg/fixed-point.ts'
import { SecureAggregationClient } from '../aggregation/secagg/secure-aggregation-client.ts'
import type { Tensor } from '../aggregation/tensor-map.ts'
import type { Logger } from '../log.ts'
import type { TokenDataset } from '../training/data/index.ts'
import type { Trainer } from '../training/index.ts'
import { runLocalRound } from '../training/local-round.ts'
import {
  JobNotJoinedError,
  JobSpecMismatchError,
  NotJobCoordinatorError,
  RoundProtocolError,
} from './errors.ts'
import type { FrameChannel } from './frame-channel.ts'
import { jobSpecHash, parseJobSpec, type TrainingJobSpec } from './job-spec.ts'
import { signAdvertisedKeys, verifyAdvertisedKeys } from './key-signature.ts'
import {
  configureMessage,
  resultMessage,
  rosterMessage,
  routedSharesMessage,
  unmaskMessage,
} from './messages.ts'
import { decodeFlatModel, type ModelLayout, modelHash, unflattenParams } from './model-vector.ts'
import type { RoundProgressEvent } from './progress.ts'
import type { RoundTimeouts } from './round-coordinator.ts'
import { bytesFromBase64, toBase64 } from './wire-bytes.ts'

/** What a participant needs: its identity, its trainer, the chain view of the job and its local data. */
export interface ParticipantComponents {
  peerId: string
  privateKey: PrivateKey
  /** The on-chain job: who coordinates it now (EVM address) and its spec hash. */
  resolveJob(jobId: bigint): Promise<{ coordinator: `0x${string}`; specHash: `0x${string}`; status: string }>
  /** This member's local data for a job it joined, or undefined. Raw data never leaves this node. */
  localData(jobId: bigint): { train: TokenDataset; heldOut?: TokenDataset } | undefined
  trainer(jobId: bigint, spec: TrainingJobSpec): Promise<Trainer>
  /** Keeps the committed global model (for coordinator replacement). */
  saveGlobal(
    jobId: bigint,
    spec: TrainingJobSpec,
    round: number,
    layout: ModelLayout,
    data: Float32Array,
  ): Promise<void>
  log: Logger
}

/**
 * One member's side of a round over a channel opened by the coordinator (`remoteAddress` is the
 * coordinator's EVM address, proven by the Noise handshake). Trains locally, uploads only a masked
 * vector, and keeps the committed global model.
 */
export async function runParticipantRound(
  c: ParticipantComponents,
  channel: FrameChannel,
  remoteAddress: `0x${string}`,
  options: { timeouts: RoundTimeouts; signal?: AbortSignal; onProgress?: (e: RoundProgressEvent) => void },
): Promise<void> {
  const t = options.timeouts
  const within = (ms: number) =>
    options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms)
  const cfg = await channel.receive(configureMessage, { signal: within(t.keysMs) })
  const jobId = BigInt(cfg.jobId)
  const job = await c.resolveJob(jobId)
  if (job.coordinator.toLowerCase() !== remoteAddress.toLowerCase()) {
    throw new NotJobCoordinatorError(
      `${remoteAddress} is not the coordinator of job ${jobId} (${job.coordinator} is).`,
    )
  }
  if (job.status !== 'active')
    throw new RoundProtocolError(`Job ${jobId} is ${job.status}; it has no more rounds.`)
  const spec = parseJobSpec(cfg.spec)
  if (jobSpecHash(spec) !== job.specHash) {
    throw new JobSpecMismatchError(
      `The spec sent for job ${jobId} does not match the spec hash recorded on chain.`,
    )
  }
  const memberIds = new Set(spec.participants.map((m) => m.peerId))
  if (!memberIds.has(c.peerId))
    throw new RoundProtocolError(`This node is not a participant of job ${jobId}.`)
  const data = c.localData(jobId)
  if (data === undefined)
    throw new JobNotJoinedError(`This node has not joined job ${jobId}: run \`commons train join ${jobId}\`.`)
  const global = decodeFlatModel(cfg.global)
  if (modelHash(global.data) !== cfg.globalHash)
    throw new RoundProtocolError('The global model does not match its hash.')

  const secure = new SecureAggregationClient({
    memberId: c.peerId,
    roundId: cfg.roundId,
    threshold: cfg.threshold,
    vectorLength: global.data.length,
  })
  await channel.send(await signAdvertisedKeys(c.privateKey, cfg.roundId, secure.advertiseKeys()))

  // Train while the key phases run; a failure surfaces when the masked upload is due.
  const trainer = await c.trainer(jobId, spec)
  const training = runLocalRound(
    { trainer },
    {
      globalParams: unflattenParams(global.layout, global.data),
      data: data.train,
      heldOut: data.heldOut,
      config: cfg.local,
      round: cfg.round,
      signal: options.signal,
    },
  )
  training.catch(() => undefined)

  const roster = await channel.receive(rosterMessage, { signal: within(t.sharesMs + t.keysMs) })
  const keys = []
  for (const entry of roster.entries) {
    if (!memberIds.has(entry.memberId))
      throw new RoundProtocolError(`The roster names a stranger, ${entry.memberId}.`)
    keys.push(await verifyAdvertisedKeys(cfg.roundId, entry))
  }
  const shared = await secure.shareKeys(keys)
  await channel.send({
    type: 'shares',
    shares: shared.shares.map((s) => ({ from: s.from, to: s.to, ciphertext: toBase64(s.ciphertext) })),
  })
  const routed = await channel.receive(routedSharesMessage, { signal: within(t.sharesMs + t.trainMs) })
  const result = await training
  options.onProgress?.({
    type: 'fl:local:trained',
    jobId: cfg.jobId,
    round: cfg.round,
    loss: result.metrics.loss,
  })

  // Delta = new weights − global, clipped (bounds the fixed-point range), optionally noised, then masked.
  const delta = new Float32Array(global.data.length)
  let offset = 0
  for (const { name, size } of global.layout) {
    const w = result.update.get(name)
    if (w === undefined || w.length !== size)
      throw new RoundProtocolError(`The trainer returned no ${name} of ${size} values.`)
    for (let i = 0; i < size; i++) delta[offset + i] = w[i]! - global.data[offset + i]!
    offset += size
  }
  const asMap = new Map<string, Tensor>([['all', { shape: [delta.length], data: delta }]])
  let clipped = clipUpdate(asMap, spec.privacy.clipNorm).tensors
  if (cfg.noiseStd > 0) clipped = addGaussianNoise(clipped, cfg.noiseStd)
  const encoded = encodeFixedPoint(clipped.get('all')!.data, cfg.scale, cfg.maxAbs)
  const masked = secure.maskInput(
    encoded,
    routed.shares.map((s) => ({ from: s.from, to: s.to, ciphertext: bytesFromBase64(s.ciphertext) })),
  )
  await channel.send({
    type: 'masked',
    masked: toBase64(masked.masked),
    numExamples: result.numExamples,
    metrics: {
      loss: result.metrics.loss,
      initialLoss: result.metrics.initialLoss,
      heldOutLoss: result.heldOut?.loss,
    },
  })
  const unmask = await channel.receive(unmaskMessage, { signal: within(t.trainMs + t.unmaskMs) })
  const response = secure.unmask(unmask)
  await channel.send({
    type: 'unmask-response',
    selfSeedShares: response.selfSeedShares.map((s) => ({ of: s.of, share: toBase64(s.share) })),
    maskKeyShares: response.maskKeyShares.map((s) => ({ of: s.of, share: toBase64(s.share) })),
  })
  // The coordinator commits on chain, then sends the new global model, which this member keeps.
  const committed = await channel.receive(resultMessage, { signal: within(t.unmaskMs + 120_000) })
  const next = decodeFlatModel(committed.global)
  if (modelHash(next.data) !== committed.modelHash)
    throw new RoundProtocolError('The result model does not match its hash.')
  await c.saveGlobal(jobId, spec, committed.round, next.layout, next.data)
  await channel.send({ type: 'stored', round: committed.round, modelHash: committed.modelHash })
  await channel.close()
}
