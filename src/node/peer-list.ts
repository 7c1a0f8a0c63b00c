import type { PeerView } from '../api/index.ts'
import type { CommonsHost, PeerDirectory } from '../net/index.ts'

/** Connected peers and the ones known from announcements, as `/api/peers` shows them. */
export function peerList(c: {
  host: Pick<CommonsHost, 'connectedPeers'>
  directory: PeerDirectory
}): PeerView[] {
  const connected = new Set(c.host.connectedPeers())
  const announced = c.directory.all()
  return [...new Set([...connected, ...announced.map((e) => e.peerId)])].map((peerId) => {
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
}
