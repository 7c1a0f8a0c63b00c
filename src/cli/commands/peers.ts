import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

interface PeersResponse {
  self: { peerId: string; address: string; multiaddrs: string[] }
  peers: {
    peerId: string
    connected: boolean
    roots: number
    serves: unknown[]
    latencyMs?: number
    lastSeen?: string
  }[]
}

/** `commons peers`: this node's PeerId and the peers it knows. */
export function registerPeers(program: Command): void {
  program
    .command('peers')
    .description('show connected peers and what they announce')
    .action(async (_o, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const r = await (await requireNode(ctx.dataDir)).json<PeersResponse>('GET', '/api/peers')
      print(ctx.opts, r, (x) =>
        [
          `self ${x.self.peerId} (${x.self.address})`,
          ...x.self.multiaddrs.map((a) => `  ${a}`),
          ...(x.peers.length === 0
            ? ['no peers yet (add bootstrap peers to net.bootstrap in config.json)']
            : x.peers.map(
                (p) =>
                  `${p.connected ? 'connected' : 'announced'}  ${p.peerId}  ${p.roots} roots  ${p.serves.length} models${p.latencyMs !== undefined ? `  ${p.latencyMs} ms` : ''}`,
              )),
        ].join('\n'),
      )
    })
}
