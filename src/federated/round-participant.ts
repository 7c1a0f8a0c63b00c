import type { PrivateKey } from '@libp2p/interface'
import {
  addGaussianNoise,
  clipUpdate,
  encodeFixedPoint,
  flattenTensorMap,
  parameterCount,
  SecureAggregationClient,
  type Tensor,
  type TensorMap,
} from '../aggregation/index.ts'
import type { ContributionDatasets } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import { runLocalRound, type TokenDataset, type Trainer } from '../training/index.ts'
import {
  type ChainJobView,
  type CheckedRound,
  checkConfigure,
  checkRevealSet,
  type LocalTrainingLimits,
} from './configure-check.ts'
import { contributionAmount, contributionByDataset } from './contribution-split.ts'
import { type LocalDataset, type SelectedData, selectDatasets } from './dataset-selection.ts'
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
  type ConfigureMessage,
  configureMessage,
  resultMessage,
  rosterMessage,
  routedSharesMessage,
  unmaskMessage,
} from './messages.ts'
import type { RoundProgressEvent } from './progress.ts'
import type { RoundTimeouts } from './secure-sum-session.ts'
import { bytesFromBase64, toBase64 } from './wire-bytes.ts'
import { decodeWireModel, modelHash } from './wire-model.ts'

/** Local data of a member for one job: what it trains on and what it evaluates on. Never leaves the node. */
export interface LocalData {
  train: TokenDataset
  heldOut?: TokenDataset
  /** The registered datasets it is made of, each apart (set when the member joined with datasets). */
  datasets?: LocalDataset[]
}

/** What a participant needs: its identity, its trainer, the chain view of the job and its local data. */
export interface ParticipantComponents {
  peerId: string
  privateKey: PrivateKey
  /** The on-chain job: who coordinates it now (EVM address), its spec hash and its committed rounds. */
  resolveJob(jobId: bigint): Promise<ChainJobView>
  /** The local training this node accepts (default DEFAULT_LOCAL_TRAINING_LIMITS). */
  limits?: LocalTrainingLimits
  /** This member's local data for a job it joined, or undefined. Raw data never leaves this node. */
  localData(jobId: bigint): LocalData | undefined
  trainer(jobId: bigint, spec: TrainingJobSpec): Promise<Trainer>
  /** Keeps the committed global model (for coordinator replacement). */
  saveGlobal(jobId: bigint, spec: TrainingJobSpec, round: number, global: TensorMap): Promise<void>
  /** Signs this member's contribution claim for the round (contribution-signature.ts). */
  signContribution?(
    cfg: ConfigureMessage,
    numExamples: number,
    datasets?: ContributionDatasets,
  ): Promise<`0x${string}`>
  /**
   * Why this member may not train on each of its datasets for the job (undefined: it may), read from the
   * chain before each round (dataset-terms.ts). Without it, a job that names datasets is refused.
   */
  datasetRefusals?(spec: TrainingJobSpec, ids: bigint[]): Promise<(string | undefined)[]>
  log: Logger
}

/** Options of one participant round. */
export interface ParticipantRoundOptions {
  timeouts: RoundTimeouts
  signal?: AbortSignal
  onProgress?: (e: RoundProgressEvent) => void
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
  options: ParticipantRoundOptions,
): Promise<void> {
  const t = options.timeouts
  const within = (ms: number) =>
    options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms)
  const cfg = await channel.receive(configureMessage, { signal: within(t.keysMs) })
  const { jobId, spec, data, global, checked } = await acceptConfigure(c, cfg, remoteAddress)
  if (data.refused.length > 0)
    c.log.warn({ jobId: cfg.jobId, refused: data.refused }, 'datasets left out of this round')
  const memberIds = new Set(checked.sum.members)
  const secure = new SecureAggregationClient({
    memberId: c.peerId,
    roundId: cfg.roundId,
    threshold: cfg.threshold,
    vectorLength: parameterCount(global),
    ...(checked.sum.neighbourhood !== undefined && { neighbourhood: checked.sum.neighbourhood }),
  })
  await channel.send(await signAdvertisedKeys(c.privateKey, cfg.roundId, secure.advertiseKeys()))

  // Train while the key phases run; a failure surfaces when the masked upload is due.
  const trainer = await c.trainer(jobId, spec)
  const training = runLocalRound(
    { trainer },
    {
      globalParams: global,
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
      throw new RoundProtocolError(`The roster names ${entry.memberId}, who is not in this secure sum.`)
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
    type: 'federated:update:trained',
    detail: { jobId: cfg.jobId, round: cfg.round, loss: result.metrics.loss },
  })

  const encoded = encodeFixedPoint(
    flattenTensorMap(privatizedDelta(result.update, global, spec.privacy.clipNorm, cfg.noiseStd)),
    cfg.scale,
    cfg.maxAbs,
  )
  const masked = secure.maskInput(
    encoded,
    routed.shares.map((s) => ({ from: s.from, to: s.to, ciphertext: bytesFromBase64(s.ciphertext) })),
  )
  const datasets =
    data.parts === undefined
      ? undefined
      : contributionByDataset(contributionAmount(spec.contribution.rule, result.numExamples), data.parts)
  await channel.send({
    type: 'masked',
    masked: toBase64(masked.masked),
    numExamples: result.numExamples,
    contributionSignature: await c.signContribution?.(cfg, result.numExamples, datasets),
    datasets:
      datasets === undefined
        ? undefined
        : { ids: datasets.ids.map(String), amounts: datasets.amounts.map(String) },
    metrics: {
      loss: result.metrics.loss,
      initialLoss: result.metrics.initialLoss,
      heldOutLoss: result.heldOut?.loss,
    },
  })
  const unmask = await channel.receive(unmaskMessage, { signal: within(t.trainMs + t.unmaskMs) })
  checkRevealSet(unmask.survivors, checked)
  const response = secure.unmask(unmask)
  await channel.send({
    type: 'unmask-response',
    selfSeedShares: response.selfSeedShares.map((s) => ({ of: s.of, share: toBase64(s.share) })),
    maskKeyShares: response.maskKeyShares.map((s) => ({ of: s.of, share: toBase64(s.share) })),
  })
  // The coordinator commits on chain, then sends the new global model, which this member keeps.
  const committed = await channel.receive(resultMessage, { signal: within(t.unmaskMs + 120_000) })
  const next = decodeWireModel(committed.global)
  if (modelHash(next) !== committed.modelHash)
    throw new RoundProtocolError('The result model does not match its hash.')
  await c.saveGlobal(jobId, spec, committed.round, next)
  await channel.send({ type: 'stored', round: committed.round, modelHash: committed.modelHash })
  await channel.close()
}

/**
 * Checks a configure frame against the chain and this node's state; returns what the round works on. Each
 * refusal comes before any key, share or update leaves this node.
 */
async function acceptConfigure(
  c: ParticipantComponents,
  cfg: ConfigureMessage,
  remoteAddress: `0x${string}`,
): Promise<{
  jobId: bigint
  spec: TrainingJobSpec
  data: SelectedData & { refused: string[] }
  global: Map<string, Tensor>
  checked: CheckedRound
}> {
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
  if (!spec.participants.some((m) => m.peerId === c.peerId))
    throw new RoundProtocolError(`This node is not a participant of job ${jobId}.`)
  // Threshold, noise, fixed point, members, local training, round and global model: all from the chain.
  const checked = checkConfigure(cfg, spec, job, c.peerId, c.limits)
  const local = c.localData(jobId)
  if (local === undefined)
    throw new JobNotJoinedError(`This node has not joined job ${jobId}: run \`commons train join ${jobId}\`.`)
  const data = await selectDatasets(spec, local, async (ids) => {
    if (c.datasetRefusals === undefined) return ids.map(() => 'this node cannot read the dataset registry')
    return c.datasetRefusals(spec, ids)
  })
  const global = decodeWireModel(cfg.global)
  if (modelHash(global) !== cfg.globalHash)
    throw new RoundProtocolError('The global model does not match its hash.')
  return { jobId, spec, data, global, checked }
}

/** Delta = new weights - global, clipped (bounds the fixed-point range), then noised when the round asks. */
function privatizedDelta(
  update: TensorMap,
  global: TensorMap,
  clipNorm: number,
  noiseStd: number,
): Map<string, Tensor> {
  const delta = new Map<string, Tensor>()
  for (const [name, g] of global) {
    const w = update.get(name)?.data
    if (w === undefined || w.length !== g.data.length)
      throw new RoundProtocolError(`The trainer returned no ${name} of ${g.data.length} values.`)
    const d = new Float32Array(w.length)
    for (let i = 0; i < d.length; i++) d[i] = w[i]! - g.data[i]!
    delta.set(name, { shape: g.shape, data: d })
  }
  const clipped = clipUpdate(delta, clipNorm).tensors
  return noiseStd > 0 ? addGaussianNoise(clipped, noiseStd) : clipped
}
