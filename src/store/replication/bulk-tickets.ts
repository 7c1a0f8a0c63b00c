import { randomBytes } from 'node:crypto'
import { BULK_MAX_TICKETS, BULK_TICKET_TTL_MS, BULK_TICKETS_PER_PEER } from '../constants.ts'

/** Bytes of a ticket id (sent in the clear to name the ticket) and of its key (never sent on TCP). */
export const TICKET_ID_BYTES = 16
export const TICKET_KEY_BYTES = 32

/** One bulk-channel ticket: good for one connection, by one peer, from one address, for one content. */
export interface BulkTicketGrant {
  /** Hex id the client names on the TCP connection. */
  id: string
  /** AES-256-GCM key of the connection; handed to the peer over the Noise-secured libp2p stream only. */
  key: Buffer
  peerId: string
  root: string
  /** IP of the libp2p connection the ticket was issued on; the bulk connection must come from it. */
  remoteHost: string | undefined
  expires: number
}

/** Limits of a ticket book (defaults from constants.ts). */
export interface TicketLimits {
  perPeer?: number
  total?: number
  ttlMs?: number
}

/**
 * Outstanding bulk tickets. Every operation is O(1) amortised: tickets live in one Map in issue order,
 * which with a fixed TTL is also expiry order, so expiry sweeps from the front; a per-peer Map (also in
 * issue order) bounds each peer's share and names its oldest ticket. Memory is bounded by
 * `total` tickets of a fixed size (no chunk lists are copied per ticket).
 */
export class BulkTicketBook {
  private readonly byId = new Map<string, BulkTicketGrant>()
  private readonly byPeer = new Map<string, Map<string, BulkTicketGrant>>()
  private readonly perPeer: number
  private readonly total: number
  readonly ttlMs: number

  constructor(limits: TicketLimits = {}) {
    this.perPeer = limits.perPeer ?? BULK_TICKETS_PER_PEER
    this.total = limits.total ?? BULK_MAX_TICKETS
    this.ttlMs = limits.ttlMs ?? BULK_TICKET_TTL_MS
  }

  /** Tickets outstanding, over all peers or for one. */
  size(peerId?: string): number {
    return peerId === undefined ? this.byId.size : (this.byPeer.get(peerId)?.size ?? 0)
  }

  /** A fresh ticket with a fresh random key; retires the peer's (or everyone's) oldest at the limit. */
  issue(peerId: string, root: string, remoteHost: string | undefined, now = Date.now()): BulkTicketGrant {
    this.sweep(now)
    const mine = this.byPeer.get(peerId)
    if (mine !== undefined && mine.size >= this.perPeer) this.remove(mine.values().next().value!)
    if (this.byId.size >= this.total) this.remove(this.byId.values().next().value!)
    const ticket: BulkTicketGrant = {
      id: randomBytes(TICKET_ID_BYTES).toString('hex'),
      key: randomBytes(TICKET_KEY_BYTES),
      peerId,
      root,
      remoteHost,
      expires: now + this.ttlMs,
    }
    this.byId.set(ticket.id, ticket)
    if (mine === undefined) this.byPeer.set(peerId, new Map([[ticket.id, ticket]]))
    else mine.set(ticket.id, ticket)
    return ticket
  }

  /** The live ticket of this id, without using it up. */
  find(id: string, now = Date.now()): BulkTicketGrant | undefined {
    const t = this.byId.get(id)
    if (t === undefined) return undefined
    if (t.expires < now) {
      this.remove(t)
      return undefined
    }
    return t
  }

  /** Uses a ticket up: it can never open another connection. */
  consume(ticket: BulkTicketGrant): void {
    this.remove(ticket)
  }

  /** Drops every ticket. */
  clear(): void {
    this.byId.clear()
    this.byPeer.clear()
  }

  private sweep(now: number): void {
    for (const t of this.byId.values()) {
      if (t.expires >= now) break
      this.remove(t)
    }
  }

  private remove(t: BulkTicketGrant): void {
    this.byId.delete(t.id)
    const mine = this.byPeer.get(t.peerId)
    mine?.delete(t.id)
    if (mine?.size === 0) this.byPeer.delete(t.peerId)
  }
}
