import type { Multiaddr } from '@multiformats/multiaddr'

/** The IP of a multiaddr, if it has one. */
function ipOf(ma: Multiaddr): string | undefined {
  return ma.getComponents().find((c) => c.name === 'ip4' || c.name === 'ip6')?.value
}

/** Whether an IP is reachable only from this machine. */
export function isLoopbackIp(ip: string): boolean {
  return ip === '::1' || /^127\./.test(ip)
}

/**
 * The addresses a node announces: what its peers can reach. A node listening on a public or LAN interface
 * (or on 0.0.0.0, which libp2p expands to every interface) leaves out its loopback addresses, which a
 * peer on another machine would dial into itself; a node that listens only on loopback keeps them
 * (peers on the same machine reach it there).
 */
export function reachableAddrs(addrs: Multiaddr[]): Multiaddr[] {
  const external = addrs.filter((ma) => {
    const ip = ipOf(ma)
    return ip === undefined || !isLoopbackIp(ip)
  })
  return external.length > 0 ? external : addrs
}

/**
 * The host the bulk channel listens on when the config names none: the same interface as libp2p's first
 * listen address, so peers reach it at the IP of their libp2p connection (which is where they dial it).
 */
export function bulkHostFor(listen: Multiaddr[]): string {
  for (const ma of listen) {
    const ip = ipOf(ma)
    if (ip !== undefined) return ip
  }
  return '127.0.0.1'
}
