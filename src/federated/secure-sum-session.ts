import {
  checkSecureSum,
  decodeFixedPoint,
  type EncryptedShare,
  type NeighbourhoodInit,
  SecureAggregator,
} from '../aggregation/index.ts'
import type { Logger } from '../log.ts'
import { MIN_SUM_MEMBERS, SINGLE_SUM } from './constants.ts'
import { RoundBelowThresholdError, RoundProtocolError } from './errors.ts'
import type { FrameChannel } from './frame-channel.ts'
import { verifyAdvertisedKeys } from './key-signature.ts'
import {
  type ConfigureMessage,
  type KeysMessage,
  keysMessage,
  type MaskedMessage,
  maskedMessage,
  sharesMessage,
  unmaskResponseMessage,
} from './messages.ts'
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
  /** The member's signature of its contribution claim, when the coordinator verifies them. */
  contributionSignature?: `0x${string}`
  /** The datasets the member signed it trained on (ids and parts, decimal strings). */
  datasets?: { ids: string[]; amounts: string[] }
}

/** One secure sum of a round: the whole round, or one bucket of it. */
export interface SecureSumSession {
  bucketId: string
  /** Members asked to take part, sorted. */
  members: string[]
  /** The configure frame of this sum (its roundId and threshold included). */
  configure: ConfigureMessage
  /** The sum's public graph when the job uses sparse neighbourhoods (round-parameters.ts). */
  neighbourhood?: NeighbourhoodInit
  /** The job's L2 clip bound: the decoded sum must lie within what clipped inputs can add up to. */
  clipNorm: number
  timeouts: RoundTimeouts
  signal?: AbortSignal
  emit(event: RoundProgressEvent): void
}

/** What a secure sum yields: the decoded sum of the contributors' clipped deltas and their reports. */
export interface SecureSumOutcome {
  bucketId: string
  sum: Float32Array
  contributors: string[]
  reports: Map<string, MemberReport>
  /** sha-256 of each contributor's masked upload. */
  maskedHashes: Map<string, `0x${string}`>
  /** Open channels to the contributors. */
  channels: Map<string, FrameChannel>
  dropped: Set<string>
}

/** What a secure sum needs from the coordinator. */
export interface SecureSumComponents {
  openChannel(peerId: string, signal: AbortSignal): Promise<FrameChannel>
  /** Checks a masked upload's contribution signature (throws: the member is dropped); returns it. */
  verifyContribution?(peerId: string, cfg: ConfigureMessage, msg: MaskedMessage): Promise<`0x${string}`>
  log: Logger
}

/**
 * Runs one secure sum as coordinator: configure -> signed keys -> roster -> shares -> masked uploads ->
 * unmask. Members that fail or miss a phase deadline are dropped; secure aggregation recovers the sum while
 * at least the threshold remain. Only masked vectors and the sum ever reach this side.
 */
export async function runSecureSum(c: SecureSumComponents, s: SecureSumSession): Promise<SecureSumOutcome> {
  const { configure, timeouts } = s
  const { round, roundId, threshold } = configure
  const vectorLength = configure.global.layout.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0)
  const agg = new SecureAggregator({
    roundId,
    threshold,
    vectorLength,
    ...(s.neighbourhood !== undefined && { neighbourhood: s.neighbourhood }),
  })
  const channels = new Map<string, FrameChannel>()
  const dropped = new Set<string>()
  const ref = { jobId: configure.jobId, round }
  const phase = phaseRunner(c.log, s, channels, dropped)
  const belowThreshold = (alive: string[], name: string): never => {
    throw new RoundBelowThresholdError(
      `Round ${round}: only ${alive.length} members answered ${name} in time; secure aggregation needs ${threshold}. Retry when more members are online.`,
      { details: { round, alive: alive.length, threshold } },
    )
  }
  try {
    const signed = new Map<string, Omit<KeysMessage, 'type'>>()
    let alive = await phase('keys', s.members, timeouts.keysMs, async (peerId, signal) => {
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
    const bucketId = s.bucketId === SINGLE_SUM ? undefined : s.bucketId
    s.emit({ type: 'federated:round:configured', detail: { ...ref, members: alive, bucketId } })

    alive = await phase('shares', alive, timeouts.sharesMs, async (peerId, signal) => {
      const channel = channels.get(peerId)!
      await channel.send(roster, { signal })
      const msg = await channel.receive(sharesMessage, { signal })
      agg.receiveShares({ memberId: peerId, shares: msg.shares.map(decodeShare) })
    })
    if (alive.length < threshold) belowThreshold(alive, 'the key-sharing phase')

    const reports = new Map<string, MemberReport>()
    const maskedHashes = new Map<string, `0x${string}`>()
    alive = await phase('masked', alive, timeouts.trainMs, async (peerId, signal) => {
      const channel = channels.get(peerId)!
      const routed = agg.sharesFor(peerId).map(encodeShare)
      await channel.send({ type: 'routed', shares: routed }, { signal })
      const msg = await channel.receive(maskedMessage, { signal })
      const masked = uint32FromBase64(msg.masked)
      const contributionSignature = await c.verifyContribution?.(peerId, configure, msg)
      agg.receiveMaskedInput({ memberId: peerId, masked })
      maskedHashes.set(peerId, sha256Hex(masked))
      reports.set(peerId, {
        peerId,
        numExamples: msg.numExamples,
        ...msg.metrics,
        contributionSignature,
        datasets: msg.datasets,
      })
      s.emit({ type: 'federated:upload:received', detail: { ...ref, peerId } })
    })
    if (alive.length < threshold) belowThreshold(alive, 'with a masked update')
    // The coordinator may be a survivor and knows its own input: fewer than three would reveal one update.
    if (alive.length < MIN_SUM_MEMBERS) {
      throw new RoundBelowThresholdError(
        `Round ${round}: only ${alive.length} members sent a masked update; unmasking fewer than ${MIN_SUM_MEMBERS} could reveal one member's update, so the sum is aborted. Retry when more members are online.`,
        { details: { round, alive: alive.length, minimum: MIN_SUM_MEMBERS } },
      )
    }

    const responders = await unmaskPhase(agg, phase, channels, timeouts.unmaskMs)
    if (responders.length < threshold) belowThreshold(responders, 'the unmask request')
    const { sum, contributors } = await agg.finish()
    const decoded = decodeFixedPoint(sum, configure.scale)
    // Inputs are hidden, so their clipping is checked on the sum: out of bounds, the sum is discarded.
    const { clipNorm } = s
    const { maxAbs, noiseStd, scale } = configure
    checkSecureSum(decoded, { count: contributors.length, clipNorm, maxAbs, noiseStd, scale })
    return {
      bucketId: s.bucketId,
      sum: decoded,
      contributors: [...contributors].sort(),
      reports,
      maskedHashes,
      channels,
      dropped,
    }
  } catch (err) {
    for (const ch of channels.values()) ch.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

type Phase = (
  name: string,
  members: readonly string[],
  timeoutMs: number,
  step: (peerId: string, signal: AbortSignal) => Promise<void>,
) => Promise<string[]>

/** Runs `step` for every live member under one deadline; a member whose step fails is dropped. */
function phaseRunner(
  log: Logger,
  s: SecureSumSession,
  channels: Map<string, FrameChannel>,
  dropped: Set<string>,
): Phase {
  const { jobId, round } = s.configure
  return async (name, members, timeoutMs, step) => {
    const signal = s.signal
      ? AbortSignal.any([s.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs)
    const alive: string[] = []
    await Promise.all(
      members.map(async (peerId) => {
        try {
          await step(peerId, signal)
          alive.push(peerId)
        } catch (err) {
          if (s.signal?.aborted) throw err
          dropped.add(peerId)
          channels.get(peerId)?.abort(err instanceof Error ? err : new Error(String(err)))
          channels.delete(peerId)
          log.warn({ err, peerId, round, phase: name }, 'member dropped from the round')
          const reason = (err instanceof Error ? `${err.name}: ${err.message}` : String(err)).slice(0, 1000)
          s.emit({ type: 'federated:member:dropped', detail: { jobId, round, peerId, phase: name, reason } })
        }
      }),
    )
    return alive.sort()
  }
}

/** Asks the survivors for their shares of the self seeds and of the dropped members' mask keys. */
async function unmaskPhase(
  agg: SecureAggregator,
  phase: Phase,
  channels: Map<string, FrameChannel>,
  timeoutMs: number,
): Promise<string[]> {
  const request = agg.unmaskRequest()
  return phase('unmask', request.survivors, timeoutMs, async (peerId, signal) => {
    const channel = channels.get(peerId)!
    await channel.send({ type: 'unmask', survivors: request.survivors, dropped: request.dropped }, { signal })
    const msg = await channel.receive(unmaskResponseMessage, { signal })
    const reveal = (xs: { of: string; share: string }[]) =>
      xs.map((x) => ({ of: x.of, share: bytesFromBase64(x.share) }))
    agg.receiveUnmaskResponse({
      memberId: peerId,
      selfSeedShares: reveal(msg.selfSeedShares),
      maskKeyShares: reveal(msg.maskKeyShares),
    })
  })
}

function decodeShare(s: { from: string; to: string; ciphertext: string }): EncryptedShare {
  return { from: s.from, to: s.to, ciphertext: bytesFromBase64(s.ciphertext) }
}

function encodeShare(s: EncryptedShare): { from: string; to: string; ciphertext: string } {
  return { from: s.from, to: s.to, ciphertext: toBase64(s.ciphertext) }
}
