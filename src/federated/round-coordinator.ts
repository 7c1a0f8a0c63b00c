import { randomBytes } from 'node:crypto'
import { createStrategy } from '../aggregation/index.ts'
import { distributedNoiseStd } from '../aggregation/privacy/gaussian-noise.ts'
import { decodeFixedPoint, fixedPointScale } from '../aggregation/secagg/fixed-point.ts'
import { SecureAggregator } from '../aggregation/secagg/secure-aggregator.ts'
import { bucketMeansAsUpdates } from '../aggregation/secure-buckets.ts'
import type { StrategyState } from '../aggregation/strategy.ts'
import type { Tensor } from '../aggregation/tensor-map.ts'
import type { Logger } from '../log.ts'
import { NOISE_CLAMP_STDS } from './constants.ts'
import { RoundBelowThresholdError, RoundProtocolError } from './errors.ts'
import type { FrameChannel } from './frame-channel.ts'
import { jobThreshold, type TrainingJobSpec } from './job-spec.ts'
import { verifyAdvertisedKeys } from './key-signature.ts'
import {
  type ConfigureMessage,
  type KeysMessage,
  keysMessage,
  maskedMessage,
  sharesMessage,
  unmaskResponseMessage,
} from './messages.ts'
import { encodeFlatModel, type ModelLayout } from './model-vector.ts'
import type { RoundProgressEvent } from './progress.ts'
import { bytesFromBase64, sha256Hex, toBase64, uint32FromBase64 } from './wire-bytes.ts'

/** Phase deadlines of a round (ms). */
export interface RoundTimeouts {
  keysMs: number
  sharesMs: number
  trainMs: number
  unmaskMs: number
}

/** What one member reported with its masked upload. */
export interface MemberReport {
  peerId: string
  numExamples: number
  loss: number
  initialLoss: number
  heldOutLoss?: number
}

/** The outcome of one securely aggregated round (nothing committed yet). */
export interface CoordinatorRoundResult {
  round: number
  /** New global model, flat in `layout` order. */
  global: Float32Array
  strategyState: StrategyState
  /** Members whose masked input is in the sum, with their plaintext measures. */
  contributors: MemberReport[]
  /** Members dropped at any phase. */
  dropped: string[]
  /** sha-256 over (member id, sha-256 of its masked upload), in member order. */
  inputsCommitment: `0x${string}`
  /** Open channels to the contributors, for the result message after the commit. */
  channels: Map<string, FrameChannel>
  wallMs: number
}

/** Parameters of runCoordinatorRound. */
export interface CoordinatorRoundParams {
  jobId: bigint
  spec: TrainingJobSpec
  round: number
  layout: ModelLayout
  global: Float32Array
  globalHash: `0x${string}`
  strategyState?: StrategyState
  /** PeerIds asked to train this round. */
  members: string[]
  timeouts: RoundTimeouts
  signal?: AbortSignal
  onProgress?: (event: RoundProgressEvent) => void
}

/**
 * Drives one round as coordinator: configure → signed keys → roster → shares → masked uploads → unmask →
 * aggregate. Members that fail or miss a phase deadline are dropped; secure aggregation recovers the
 * sum while at least the threshold remain. The coordinator only ever holds masked vectors and the sum.
 */
export async function runCoordinatorRound(
  c: { openChannel(peerId: string, signal: AbortSignal): Promise<FrameChannel>; log: Logger },
  p: CoordinatorRoundParams,
): Promise<CoordinatorRoundResult> {
  const started = performance.now()
  const { spec, round } = p
  const threshold = jobThreshold(spec)
  const roundId = `${p.jobId}:${round}:${randomBytes(8).toString('hex')}`
  const noiseStd =
    spec.privacy.noiseMultiplier > 0
      ? distributedNoiseStd(spec.privacy.noiseMultiplier, spec.privacy.clipNorm, threshold)
      : 0
  const maxAbs = spec.privacy.clipNorm + NOISE_CLAMP_STDS * noiseStd
  const scale = fixedPointScale(maxAbs, spec.participants.length)
  const strategy = createStrategy(spec.strategy)
  const clientConfig = strategy.configureRound({ round, memberIds: p.members })
  const agg = new SecureAggregator({ roundId, threshold, vectorLength: p.global.length })
  const channels = new Map<string, FrameChannel>()
  const dropped = new Set<string>()
  const emit = (type: RoundProgressEvent['type'], extra: Partial<RoundProgressEvent> = {}): void =>
    p.onProgress?.({ type, jobId: p.jobId.toString(), round, ...extra } as RoundProgressEvent)

  /** Runs `step` for every live member under one deadline; a member whose step fails is dropped. */
  const phase = async (
    name: string,
    members: readonly string[],
    timeoutMs: number,
    step: (peerId: string, signal: AbortSignal) => Promise<void>,
  ): Promise<string[]> => {
    const signal = p.signal
      ? AbortSignal.any([p.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs)
    const alive: string[] = []
    await Promise.all(
      members.map(async (peerId) => {
        try {
          await step(peerId, signal)
          alive.push(peerId)
        } catch (err) {
          if (p.signal?.aborted) throw err
          dropped.add(peerId)
          channels.get(peerId)?.abort(err instanceof Error ? err : new Error(String(err)))
          channels.delete(peerId)
          c.log.warn({ err, peerId, round, phase: name }, 'member dropped from the round')
          emit('fl:member:dropped', { peerId, phase: name })
        }
      }),
    )
    return alive.sort()
  }
  const belowThreshold = (alive: string[], name: string): never => {
    throw new RoundBelowThresholdError(
      `Round ${round}: only ${alive.length} members answered ${name} in time; secure aggregation needs ${threshold}. Retry when more members are online.`,
      { details: { round, alive: alive.length, threshold } },
    )
  }

  try {
    const configure: ConfigureMessage = {
      type: 'configure',
      jobId: p.jobId.toString(),
      round,
      roundId,
      spec,
      threshold,
      scale,
      maxAbs,
      noiseStd,
      local: { ...spec.local, proximalMu: clientConfig.get(p.members[0]!)?.proximalMu },
      global: encodeFlatModel(p.layout, p.global),
      globalHash: p.globalHash,
    }
    const signed = new Map<string, Omit<KeysMessage, 'type'>>()
    let alive = await phase('keys', [...p.members].sort(), p.timeouts.keysMs, async (peerId, signal) => {
      const channel = await c.openChannel(peerId, signal)
      channels.set(peerId, channel)
      await channel.send(configure, { signal })
      const { type: _, ...keys } = await channel.receive(keysMessage, { signal })
      if (keys.memberId !== peerId)
        throw new RoundProtocolError(`${peerId} advertised keys as ${keys.memberId}.`)
      agg.receiveKeys(await verifyAdvertisedKeys(roundId, keys))
      signed.set(peerId, keys)
    })
    if (alive.length < threshold) belowThreshold(alive, 'the configure message')
    agg.roster()
    const roster = { type: 'roster', entries: alive.map((id) => signed.get(id)!) }
    emit('fl:round:configured', { members: alive })

    alive = await phase('shares', alive, p.timeouts.sharesMs, async (peerId, signal) => {
      const channel = channels.get(peerId)!
      await channel.send(roster, { signal })
      const msg = await channel.receive(sharesMessage, { signal })
      agg.receiveShares({
        memberId: peerId,
        shares: msg.shares.map((s) => ({
          from: s.from,
          to: s.to,
          ciphertext: bytesFromBase64(s.ciphertext),
        })),
      })
    })
    if (alive.length < threshold) belowThreshold(alive, 'the key-sharing phase')

    const reports = new Map<string, MemberReport>()
    const maskedHashes = new Map<string, `0x${string}`>()
    const sharers = alive
    alive = await phase('masked', sharers, p.timeouts.trainMs, async (peerId, signal) => {
      const channel = channels.get(peerId)!
      const routed = agg
        .sharesFor(peerId)
        .map((s) => ({ from: s.from, to: s.to, ciphertext: toBase64(s.ciphertext) }))
      await channel.send({ type: 'routed', shares: routed }, { signal })
      const msg = await channel.receive(maskedMessage, { signal })
      const masked = uint32FromBase64(msg.masked)
      agg.receiveMaskedInput({ memberId: peerId, masked })
      maskedHashes.set(peerId, sha256Hex(masked))
      reports.set(peerId, { peerId, numExamples: msg.numExamples, ...msg.metrics })
      emit('fl:upload:received', { peerId })
    })
    if (alive.length < threshold) belowThreshold(alive, 'with a masked update')

    const request = agg.unmaskRequest()
    const responders = await phase(
      'unmask',
      request.survivors,
      p.timeouts.unmaskMs,
      async (peerId, signal) => {
        const channel = channels.get(peerId)!
        await channel.send(
          { type: 'unmask', survivors: request.survivors, dropped: request.dropped },
          { signal },
        )
        const msg = await channel.receive(unmaskResponseMessage, { signal })
        const reveal = (xs: { of: string; share: string }[]) =>
          xs.map((x) => ({ of: x.of, share: bytesFromBase64(x.share) }))
        agg.receiveUnmaskResponse({
          memberId: peerId,
          selfSeedShares: reveal(msg.selfSeedShares),
          maskKeyShares: reveal(msg.maskKeyShares),
        })
      },
    )
    if (responders.length < threshold) belowThreshold(responders, 'the unmask request')
    const { sum, contributors } = await agg.finish()

    // The mean delta of the contributors (unweighted: secure aggregation yields only the sum), applied by the strategy.
    const globalMap = new Map<string, Tensor>([['all', { shape: [p.global.length], data: p.global }]])
    const [meanUpdate] = bucketMeansAsUpdates(globalMap, [
      { bucketId: 'secure-sum', sum: decodeFixedPoint(sum, scale), count: contributors.length },
    ])
    const aggregated = strategy.aggregate(globalMap, [meanUpdate!], p.strategyState)
    const commitment = sha256Hex(
      ...[...contributors]
        .sort()
        .flatMap((id) => [Buffer.from(id, 'utf8'), Buffer.from(maskedHashes.get(id)!.slice(2), 'hex')]),
    )
    for (const peerId of channels.keys())
      if (!contributors.includes(peerId)) channels.get(peerId)?.abort(new Error('not a contributor'))
    emit('fl:round:aggregated', { members: [...contributors] })
    return {
      round,
      global: aggregated.global.get('all')!.data,
      strategyState: aggregated.state,
      contributors: [...contributors].sort().map((id) => reports.get(id)!),
      dropped: [...dropped].sort(),
      inputsCommitment: commitment,
      channels: new Map([...channels].filter(([id]) => contributors.includes(id))),
      wallMs: performance.now() - started,
    }
  } catch (err) {
    for (const ch of channels.values()) ch.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}
