import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'
import { formatStatus, type NodeStatusView } from '../status-view.ts'

/** `commons status`: the running node on one screen (node, chain, peers, serving, store, training, usage). */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show the running node: chain, peers, models served, store, training and usage')
    .action(async (_o, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      // Each part on its own: one that fails (the chain down, say) does not hide the others.
      const part = <T>(path: string) => node.json<T>('GET', path).catch(() => undefined)
      const [health, chain, peers, serving, store, training, metrics] = await Promise.all([
        // /healthz answers 503 with the same body when the chain is down: read it either way.
        fetch(new URL('/healthz', node.apiUrl))
          .then((r) => r.json() as Promise<NodeStatusView['health']>)
          .catch(() => undefined),
        part<NodeStatusView['chain']>('/api/chain'),
        part<NodeStatusView['peers']>('/api/peers'),
        part<NodeStatusView['serving']>('/api/serving'),
        part<NodeStatusView['store']>('/api/store'),
        part<NodeStatusView['training']>('/api/training'),
        fetch(new URL('/metrics', node.apiUrl))
          .then((r) => (r.ok ? r.text() : undefined))
          .catch(() => undefined),
      ])
      const view: NodeStatusView = {
        apiUrl: node.apiUrl,
        health,
        chain,
        peers,
        serving,
        store,
        training,
        metrics,
      }
      print(ctx.opts, view, formatStatus)
    })
}
