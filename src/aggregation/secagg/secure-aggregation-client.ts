import { createHash, randomBytes } from 'node:crypto'
import { split } from 'shamir-secret-sharing'
import { SECAGG_LABELS } from '../constants.ts'
import { WrappingAccumulator } from '../kernels/wrapping-add.ts'
import { SecAggBelowThresholdError, SecAggConfigError, SecAggProtocolError } from './errors.ts'
import {
  deriveKey,
  generateKeyPair,
  type KeyPair,
  pairContext,
  sharedSecret,
  x25519PrivateKey,
} from './key-agreement.ts'
import { addKeystream } from './keystream.ts'
import type {
  AdvertisedKeys,
  EncryptedShare,
  MaskedInput,
  RevealedShare,
  SharedKeys,
  UnmaskRequest,
  UnmaskResponse,
} from './messages.ts'
import {
  checkNeighbourhood,
  inducesConnected,
  type NeighbourhoodInit,
  neighbourhoodGraph,
} from './neighbourhood.ts'
import { openShare, sealShare } from './share-cipher.ts'

/** Parameters of one member's part in one round. */
export interface SecureAggregationInit {
  readonly memberId: string
  /** Unique per round; salts every derived key so keys and masks never repeat across rounds. */
  readonly roundId: string
  /** Shamir threshold t: shares needed to reconstruct; must exceed half the roster. */
  readonly threshold: number
  /** Length of the fixed-point vector each member contributes. */
  readonly vectorLength: number
  /**
   * SecAgg+ sparse neighbourhoods (neighbourhood.ts): share, agree and mask only with the neighbours in the
   * public graph; the threshold then applies within a neighbourhood. Absent: the full protocol.
   */
  readonly neighbourhood?: NeighbourhoodInit
}

/** X25519 secrets with one peer, computed once the roster is known so masking does no curve work. */
interface PeerSecrets {
  readonly channel: Uint8Array
  readonly mask: Uint8Array
}

interface HeldShares {
  readonly selfSeedShare: Uint8Array
  readonly maskKeyShare: Uint8Array
}

/** AAD of a share ciphertext: binds round, sender and recipient. */
export function shareAad(roundId: string, from: string, to: string): string {
  return `${roundId}|${from}|${to}`
}

/** SHA-256 commitment to a self-mask seed. */
export function seedCommitment(seed: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(seed).digest())
}

/** Checks a roster as a member and the coordinator must: distinct ids, enough members for the threshold. */
export function checkRoster(
  roster: readonly AdvertisedKeys[],
  threshold: number,
  planned?: ReadonlySet<string>,
): AdvertisedKeys[] {
  const sorted = [...roster].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0))
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.memberId === sorted[i - 1]!.memberId) {
      throw new SecAggProtocolError(`Member ${sorted[i]!.memberId} appears twice in the roster.`)
    }
  }
  if (sorted.length < threshold) {
    throw new SecAggBelowThresholdError(
      `Only ${sorted.length} members advertised keys; the threshold is ${threshold}. Wait for more members or abort the round.`,
      { details: { members: sorted.length, threshold } },
    )
  }
  // Shamir shares carry a one-byte x coordinate: at most 255 holders, the whole roster in the full protocol.
  if (planned === undefined && sorted.length > 255)
    throw new SecAggConfigError('Secure aggregation supports at most 255 members per group.')
  const stranger = planned === undefined ? undefined : sorted.find((k) => !planned.has(k.memberId))
  if (stranger !== undefined)
    throw new SecAggProtocolError(`${stranger.memberId} is in the roster but not among the planned members.`)
  return sorted
}

/**
 * One member's side of SecAgg (Bonawitz et al. CCS 2017, with the X25519 / HKDF / ChaCha20 choices of
 * SecAgg+): pure state machine, no I/O; the network layer carries its messages.
 * @example
 * const client = new SecureAggregationClient({ memberId, roundId, threshold: 3, vectorLength })
 * coordinator.receiveKeys(client.advertiseKeys())
 * coordinator.receiveShares(await client.shareKeys(coordinator.roster()))
 * coordinator.receiveMaskedInput(client.maskInput(encoded, coordinator.sharesFor(memberId)))
 * coordinator.receiveUnmaskResponse(client.unmask(coordinator.unmaskRequest()))
 */
export class SecureAggregationClient {
  readonly memberId: string
  readonly roundId: string
  readonly threshold: number
  readonly vectorLength: number
  readonly #channel: KeyPair
  readonly #mask: KeyPair
  readonly #selfSeed: Uint8Array
  #roster: Map<string, AdvertisedKeys> | undefined
  readonly #held = new Map<string, HeldShares>()
  readonly #peers = new Map<string, PeerSecrets>()
  #contributors: Set<string> | undefined
  #answered = false
  /** The public graph when sparse neighbourhoods are on. */
  readonly #graph: Map<string, Set<string>> | undefined

  constructor(init: SecureAggregationInit) {
    if (!Number.isInteger(init.threshold) || init.threshold < 2) {
      throw new SecAggConfigError(`The Shamir threshold must be an integer >= 2, got ${init.threshold}.`)
    }
    if (!Number.isInteger(init.vectorLength) || init.vectorLength < 1) {
      throw new SecAggConfigError(`vectorLength must be a positive integer, got ${init.vectorLength}.`)
    }
    this.memberId = init.memberId
    this.roundId = init.roundId
    this.threshold = init.threshold
    this.vectorLength = init.vectorLength
    this.#channel = generateKeyPair()
    this.#mask = generateKeyPair()
    this.#selfSeed = new Uint8Array(randomBytes(32))
    const hood = init.neighbourhood
    if (hood !== undefined) {
      checkNeighbourhood(hood.degree, init.threshold, hood.members.length)
      this.#graph = neighbourhoodGraph(hood)
      if (!this.#graph.has(this.memberId))
        throw new SecAggConfigError(`${this.memberId} is not among the planned members of the round.`)
    }
  }

  /** The members this one shares with and masks against: its neighbours, or everyone (full protocol). */
  #isPeer(id: string): boolean {
    return id !== this.memberId && (this.#graph === undefined || this.#graph.get(this.memberId)!.has(id))
  }

  /** Phase 1: this member's public keys and seed commitment. */
  advertiseKeys(): AdvertisedKeys {
    return {
      memberId: this.memberId,
      channelPublicKey: this.#channel.publicKey,
      maskPublicKey: this.#mask.publicKey,
      selfSeedCommitment: seedCommitment(this.#selfSeed),
    }
  }

  /** Phase 2: Shamir-shares the self-mask seed and the mask secret key, one sealed share per other member. */
  async shareKeys(roster: readonly AdvertisedKeys[]): Promise<SharedKeys> {
    if (this.#roster !== undefined)
      throw new SecAggProtocolError(`${this.memberId} already shared its keys this round.`)
    const sorted = checkRoster(roster, this.threshold, this.#graph && new Set(this.#graph.keys()))
    if (this.#graph === undefined && this.threshold * 2 <= sorted.length) {
      throw new SecAggConfigError(
        `Threshold ${this.threshold} must exceed half of the ${sorted.length} members, or a coordinator could learn both secrets of one member.`,
      )
    }
    const me = sorted.find((k) => k.memberId === this.memberId)
    if (me === undefined || !equalBytes(me.maskPublicKey, this.#mask.publicKey)) {
      throw new SecAggProtocolError(
        `The roster does not carry ${this.memberId}'s own keys; refusing to share.`,
      )
    }
    this.#roster = new Map(sorted.map((k) => [k.memberId, k]))
    // The holders of this member's shares: itself and its peers that advertised keys.
    const holders = sorted.filter((k) => k.memberId === this.memberId || this.#isPeer(k.memberId))
    if (holders.length < this.threshold) {
      throw new SecAggBelowThresholdError(
        `Only ${holders.length} members of ${this.memberId}'s neighbourhood advertised keys; the threshold is ${this.threshold}.`,
        { details: { members: holders.length, threshold: this.threshold } },
      )
    }
    const channelSecret = x25519PrivateKey(this.#channel.secretKey)
    const maskSecret = x25519PrivateKey(this.#mask.secretKey)
    for (const peer of holders) {
      if (peer.memberId === this.memberId) continue
      this.#peers.set(peer.memberId, {
        channel: sharedSecret(channelSecret, peer.channelPublicKey),
        mask: sharedSecret(maskSecret, peer.maskPublicKey),
      })
    }
    const n = holders.length
    const seedShares = await split(this.#selfSeed, n, this.threshold)
    const keyShares = await split(this.#mask.secretKey, n, this.threshold)
    const shares: EncryptedShare[] = []
    holders.forEach((peer, i) => {
      const held = { selfSeedShare: seedShares[i]!, maskKeyShare: keyShares[i]! }
      if (peer.memberId === this.memberId) {
        this.#held.set(this.memberId, held)
        return
      }
      const key = this.#channelKey(peer.memberId, this.memberId, peer.memberId)
      const plaintext = Buffer.from(
        JSON.stringify({
          from: this.memberId,
          to: peer.memberId,
          selfSeedShare: Buffer.from(held.selfSeedShare).toString('base64'),
          maskKeyShare: Buffer.from(held.maskKeyShare).toString('base64'),
        }),
      )
      shares.push({
        from: this.memberId,
        to: peer.memberId,
        ciphertext: sealShare(key, plaintext, shareAad(this.roundId, this.memberId, peer.memberId)),
      })
    })
    return { memberId: this.memberId, shares }
  }

  /**
   * Phase 3: opens the shares addressed to this member (their senders are the members still in the round)
   * and returns `input` (fixed point, mod 2^32) plus the self mask and a pairwise mask with each of them.
   */
  maskInput(input: Uint32Array, received: readonly EncryptedShare[]): MaskedInput {
    const roster = this.#roster
    if (roster === undefined)
      throw new SecAggProtocolError(`${this.memberId} must share keys before masking.`)
    if (this.#contributors !== undefined)
      throw new SecAggProtocolError(`${this.memberId} already sent its input.`)
    if (input.length !== this.vectorLength) {
      throw new SecAggProtocolError(
        `Input has ${input.length} words; the round expects ${this.vectorLength}.`,
      )
    }
    const contributors = new Set([this.memberId])
    for (const s of received) {
      const peer = roster.get(s.from)
      if (s.to !== this.memberId || peer === undefined || !this.#isPeer(s.from) || contributors.has(s.from)) {
        throw new SecAggProtocolError(`Unexpected share from ${s.from} to ${s.to} at ${this.memberId}.`)
      }
      const key = this.#channelKey(peer.memberId, s.from, this.memberId)
      const opened = JSON.parse(
        Buffer.from(openShare(key, s.ciphertext, shareAad(this.roundId, s.from, this.memberId))).toString(
          'utf8',
        ),
      ) as { from: string; to: string; selfSeedShare: string; maskKeyShare: string }
      if (opened.from !== s.from || opened.to !== this.memberId) {
        throw new SecAggProtocolError(`A share from ${s.from} names the wrong sender or recipient.`)
      }
      this.#held.set(s.from, {
        selfSeedShare: new Uint8Array(Buffer.from(opened.selfSeedShare, 'base64')),
        maskKeyShare: new Uint8Array(Buffer.from(opened.maskKeyShare, 'base64')),
      })
      contributors.add(s.from)
    }
    if (contributors.size < this.threshold) {
      throw new SecAggBelowThresholdError(
        `Only ${contributors.size} members shared keys; the threshold is ${this.threshold}. The round cannot continue.`,
        { details: { members: contributors.size, threshold: this.threshold } },
      )
    }
    this.#contributors = contributors
    const masked = new WrappingAccumulator(input.length)
    masked.add(input, 1)
    addKeystream(masked, selfMaskKey(this.#selfSeed, this.roundId, this.memberId), 1)
    for (const peerId of contributors) {
      if (peerId === this.memberId) continue
      const key = deriveKey(
        this.#peers.get(peerId)!.mask,
        this.roundId,
        SECAGG_LABELS.pairwiseMask,
        pairContext(this.memberId, peerId),
      )
      addKeystream(masked, key, pairSign(this.memberId, peerId))
    }
    return { memberId: this.memberId, masked: masked.take() }
  }

  /**
   * Phase 4: reveals self-seed shares of survivors and mask-key shares of dropped members, once. Refuses a
   * request that would reveal both secrets of one member, names strangers, or leaves fewer than t survivors.
   */
  unmask(request: UnmaskRequest): UnmaskResponse {
    const contributors = this.#contributors
    if (contributors === undefined)
      throw new SecAggProtocolError(`${this.memberId} has not sent its input yet.`)
    if (this.#answered) throw new SecAggProtocolError(`${this.memberId} already answered an unmask request.`)
    const survivors = new Set(request.survivors)
    const dropped = new Set(request.dropped)
    if (survivors.size !== request.survivors.length || dropped.size !== request.dropped.length) {
      throw new SecAggProtocolError('The unmask request lists a member twice.')
    }
    // Full protocol: this member saw every sharer; sparse: only its neighbours', the rest must be in the roster.
    const known = this.#graph === undefined ? contributors : this.#roster!
    for (const id of [...survivors, ...dropped]) {
      if (!known.has(id))
        throw new SecAggProtocolError(`The unmask request names ${id}, who did not share keys.`)
      if (survivors.has(id) && dropped.has(id)) {
        throw new SecAggProtocolError(
          `The unmask request lists ${id} as both survivor and dropped; refusing.`,
        )
      }
    }
    if ([...contributors].some((id) => !survivors.has(id) && !dropped.has(id))) {
      throw new SecAggProtocolError('The unmask request does not account for every member that shared keys.')
    }
    if (this.#graph !== undefined && !inducesConnected(this.#graph, [...survivors])) {
      throw new SecAggBelowThresholdError(
        `The ${survivors.size} survivors split into parts of the public neighbourhood graph: unmasking would reveal the sum of a part. Refusing to reveal shares.`,
        { details: { survivors: survivors.size, threshold: this.threshold } },
      )
    }
    if (!survivors.has(this.memberId))
      throw new SecAggProtocolError(`${this.memberId} is not listed as a survivor.`)
    if (survivors.size < this.threshold) {
      throw new SecAggBelowThresholdError(
        `Only ${survivors.size} survivors; the threshold is ${this.threshold}. Refusing to reveal shares.`,
        { details: { survivors: survivors.size, threshold: this.threshold } },
      )
    }
    this.#answered = true
    const reveal = (ids: Set<string>, pick: (h: HeldShares) => Uint8Array): RevealedShare[] =>
      [...ids]
        .filter((of) => this.#held.has(of))
        .sort()
        .map((of) => ({ of, share: pick(this.#held.get(of)!) }))
    return {
      memberId: this.memberId,
      selfSeedShares: reveal(survivors, (h) => h.selfSeedShare),
      maskKeyShares: reveal(dropped, (h) => h.maskKeyShare),
    }
  }

  #channelKey(peerId: string, from: string, to: string): Uint8Array {
    return deriveKey(
      this.#peers.get(peerId)!.channel,
      this.roundId,
      SECAGG_LABELS.shareChannel,
      `${from}>${to}`,
    )
  }
}

/** The key of a member's self mask, derived from its seed. */
export function selfMaskKey(seed: Uint8Array, roundId: string, memberId: string): Uint8Array {
  return deriveKey(seed, roundId, SECAGG_LABELS.selfMask, memberId)
}

/** The sign member `a` gives its pairwise mask with `b`: +1 if a sorts first, else -1; the pair cancels. */
export function pairSign(a: string, b: string): 1 | -1 {
  return a < b ? 1 : -1
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
