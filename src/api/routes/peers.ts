import { Hono } from 'hono'

/** A peer as `/api/peers` shows it: connected or known from its announcements. */
export interface PeerView {
  peerId: string
  connected: boolean
  addrs: string[]
  roots: number
  serves: { model: string; version: string }[]
  load: number | undefined
  latencyMs: number | undefined
  lastSeen: string | undefined
}

/** `/api/peers`: connected peers and what each announces. */
export function peerRoutes(c: { peers(): PeerView[]; self(): Record<string, unknown> }): Hono {
  return new Hono().get('/', (ctx) => ctx.json({ self: c.self(), peers: c.peers() }))
}
