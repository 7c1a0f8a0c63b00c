import { Hono } from 'hono'
import type { PeerDirectory } from '../../net/index.ts'

/** `/api/peers`: connected peers and what each announces. */
export function peerRoutes(c: {
  connectedPeers(): string[]
  directory: PeerDirectory
  self(): Record<string, unknown>
}): Hono {
  return new Hono().get('/', (ctx) => {
    const connected = new Set(c.connectedPeers())
    const announced = c.directory.all()
    const peers = [...new Set([...connected, ...announced.map((e) => e.peerId)])].map((peerId) => {
      const e = announced.find((x) => x.peerId === peerId)
      return {
        peerId,
        connected: connected.has(peerId),
        addrs: e?.announcement.addrs ?? [],
        roots: e?.announcement.roots.length ?? 0,
        serves: e?.announcement.serves ?? [],
        load: e?.announcement.load,
        latencyMs: e?.latencyMs,
        lastSeen: e ? new Date(e.receivedAt).toISOString() : undefined,
      }
    })
    return ctx.json({ self: c.self(), peers })
  })
}
