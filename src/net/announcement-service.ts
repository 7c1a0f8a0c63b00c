import { type GossipSub, type Message, TopicValidatorResult } from '@libp2p/gossipsub'
import type { PrivateKey } from '@libp2p/interface'
import type { Logger } from '../log.ts'
import type { Announcement } from './announcement.ts'
import { encodeAnnouncement } from './announcement.ts'
import {
  type AnnouncementLimits,
  AnnouncementValidator,
  DEFAULT_ANNOUNCEMENT_LIMITS,
} from './announcement-validator.ts'
import { ANNOUNCE_INTERVAL_MS, ANNOUNCE_TOPIC } from './constants.ts'
import type { PeerDirectory } from './peer-directory.ts'

/** What this node currently offers; read at each announcement. */
export interface NodeOffer {
  roots: string[]
  serves: Array<{ model: string; version: string }>
  load: number
  priceWeiPer1kTokens: string
}

/** The host parts the announcement service uses (CommonsHost satisfies it). */
export interface AnnouncementHost {
  peerId: string
  identity: { privateKey: PrivateKey }
  pubsub: GossipSub
  multiaddrs(): string[]
}

/** Options of the announcement service. */
export interface AnnouncementServiceInit {
  /** Re-announce this often (ms); 0 = only on publish(). */
  intervalMs?: number
  topic?: string
  limits?: Partial<AnnouncementLimits>
  offer: () => NodeOffer | Promise<NodeOffer>
}

/** Counts of refused announcements by reason (for metrics and tests). */
export type RejectCounts = Record<string, number>

/**
 * Publishes this node's signed announcement on the gossip topic and feeds valid announcements of
 * other nodes into the PeerDirectory. Invalid ones are rejected in gossipsub's topic validator, so
 * they are neither delivered nor forwarded and the sender's score drops.
 */
export class AnnouncementService {
  readonly rejected: RejectCounts = {}
  private readonly validator: AnnouncementValidator
  private readonly accepted = new WeakMap<Message, Announcement>()
  private timer: NodeJS.Timeout | undefined
  private lastSeqno = 0
  private readonly topic: string

  constructor(
    private readonly c: { host: AnnouncementHost; directory: PeerDirectory; log: Logger },
    private readonly init: AnnouncementServiceInit,
  ) {
    this.topic = init.topic ?? ANNOUNCE_TOPIC
    this.validator = new AnnouncementValidator({ ...DEFAULT_ANNOUNCEMENT_LIMITS, ...init.limits })
  }

  private readonly onMessage = (evt: CustomEvent<Message>): void => {
    const msg = evt.detail
    if (msg.topic !== this.topic) return
    const a = this.accepted.get(msg)
    if (a !== undefined) this.c.directory.upsert(a)
  }

  private readonly validate = async (_peer: unknown, msg: Message): Promise<TopicValidatorResult> => {
    if (msg.type !== 'signed') {
      this.count('unsigned')
      return TopicValidatorResult.Reject
    }
    try {
      const result = await this.validator.validate(msg.data, msg.from.toString())
      if (!result.ok) {
        this.count(result.reason)
        this.c.log.debug({ from: msg.from.toString(), reason: result.reason }, 'announcement rejected')
        return TopicValidatorResult.Reject
      }
      this.accepted.set(msg, result.announcement)
      return TopicValidatorResult.Accept
    } catch (err) {
      this.count('error')
      this.c.log.warn({ err }, 'announcement validation failed')
      return TopicValidatorResult.Reject
    }
  }

  /** Subscribes, installs the validator and starts periodic announcements. */
  async start(): Promise<void> {
    const pubsub = this.c.host.pubsub
    pubsub.topicValidators.set(this.topic, this.validate)
    pubsub.addEventListener('message', this.onMessage)
    pubsub.subscribe(this.topic)
    const interval = this.init.intervalMs ?? ANNOUNCE_INTERVAL_MS
    if (interval > 0) {
      this.timer = setInterval(
        () => void this.publish().catch((err) => this.c.log.debug({ err }, 'announce failed')),
        interval,
      )
      this.timer.unref()
    }
  }

  /** Stops announcing and unsubscribes. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    try {
      const pubsub = this.c.host.pubsub
      pubsub.removeEventListener('message', this.onMessage)
      pubsub.topicValidators.delete(this.topic)
      pubsub.unsubscribe(this.topic)
    } catch {
      // host already stopped
    }
  }

  /** Builds, signs and publishes an announcement now; returns it. */
  async publish(): Promise<Announcement> {
    const offer = await this.init.offer()
    const now = Date.now()
    this.lastSeqno = Math.max(this.lastSeqno + 1, now)
    const announcement: Announcement = {
      v: 1,
      peerId: this.c.host.peerId,
      addrs: this.c.host.multiaddrs().slice(0, 16),
      roots: offer.roots,
      serves: offer.serves,
      load: offer.load,
      priceWeiPer1kTokens: offer.priceWeiPer1kTokens,
      seqno: this.lastSeqno,
      timestamp: now,
    }
    const data = await encodeAnnouncement(announcement, this.c.host.identity.privateKey)
    await this.c.host.pubsub.publish(this.topic, data)
    return announcement
  }

  private count(reason: string): void {
    this.rejected[reason] = (this.rejected[reason] ?? 0) + 1
  }
}
