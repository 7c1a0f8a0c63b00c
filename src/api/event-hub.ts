import type { Logger } from '../log.ts'
import { EventStreamFullError } from './errors.ts'

/** Options of the live event stream. */
export interface EventHubInit {
  /** How often the chain head is read while someone listens (ms). */
  pollMs: number
  /** Topics are re-read every this many polls even when the head did not move (peers, training). */
  refreshEvery: number
  maxSubscribers: number
}

/** What the hub watches: the chain head, and topics whose current value is read on each change of head. */
export interface EventSources {
  head(): Promise<string>
  topics: Record<string, () => Promise<unknown>>
}

/** One event sent to subscribers: a topic name and its value as JSON. */
export interface HubEvent {
  event: string
  data: string
}

/** The topics whose serialized value differs from the last one seen (pure). */
export function changedTopics(last: ReadonlyMap<string, string>, next: Record<string, string>): string[] {
  return Object.keys(next).filter((k) => last.get(k) !== next[k])
}

/**
 * Watches the chain head and the dashboard's topics (proposals, models, nodes, peers, …) while anyone listens,
 * and pushes each topic to every subscriber when its value changes. Polls only with subscribers; reads
 * are shared by all of them, so N pages cost one set of reads.
 */
export class EventHub {
  private readonly subscribers = new Set<(e: HubEvent) => void>()
  private readonly last = new Map<string, string>()
  private timer: NodeJS.Timeout | undefined
  private polls = 0
  private busy = false

  constructor(
    private readonly init: EventHubInit,
    private readonly sources: EventSources,
    private readonly log: Logger,
  ) {}

  /** Subscribes; sends the last known values at once. Returns the unsubscribe. */
  subscribe(send: (e: HubEvent) => void): () => void {
    if (this.subscribers.size >= this.init.maxSubscribers)
      throw new EventStreamFullError(
        `The live event stream already serves ${this.init.maxSubscribers} pages; close one or retry later.`,
      )
    this.subscribers.add(send)
    for (const [event, data] of this.last) send({ event, data })
    if (!this.timer) {
      this.polls = 0
      this.timer = setInterval(() => void this.poll(), this.init.pollMs).unref()
      void this.poll()
    }
    return () => {
      this.subscribers.delete(send)
      if (this.subscribers.size === 0 && this.timer) {
        clearInterval(this.timer)
        this.timer = undefined
      }
    }
  }

  get size(): number {
    return this.subscribers.size
  }

  /** Stops polling and drops every subscriber. */
  stop(): void {
    this.subscribers.clear()
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
  }

  private async poll(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const head = await this.sources.head()
      const moved = this.last.get('head') !== JSON.stringify({ block: head })
      if (moved || this.polls % this.init.refreshEvery === 0) await this.refresh(head)
      this.polls++
    } catch (err) {
      this.log.debug({ err }, 'event poll failed')
    } finally {
      this.busy = false
    }
  }

  private async refresh(head: string): Promise<void> {
    const next: Record<string, string> = { head: JSON.stringify({ block: head }) }
    const names = Object.keys(this.sources.topics)
    const values = await Promise.allSettled(names.map((n) => this.sources.topics[n]?.()))
    values.forEach((v, i) => {
      if (v.status === 'fulfilled') next[names[i] as string] = JSON.stringify(v.value)
    })
    for (const event of changedTopics(this.last, next)) {
      const data = next[event] as string
      this.last.set(event, data)
      for (const send of this.subscribers) send({ event, data })
    }
  }
}
