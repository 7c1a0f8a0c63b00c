import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { findNode, type NodeApi, requireNode } from '../node-api.ts'
import { formatStatus, type NodeStatusView } from '../status-view.ts'

/** `commons status`: the running node on one screen (node, chain, peers, serving, store, training, usage). */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'show the running node (or each member of a local commons): chain, peers, serving, store, training, usage',
    )
    .action(async (_o, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const members = await localMembers(ctx.dataDir)
      if (members.length === 0) {
        print(ctx.opts, await gather(await requireNode(ctx.dataDir)), formatStatus)
        return
      }
      // The main data dir of `npm start`: every member that runs, one section each.
      const views = await Promise.all(
        members.map(async ([name, node]) => ({ name, ...(await gather(node)) })),
      )
      print(ctx.opts, views, (all) => all.map((v) => `── ${v.name}\n${formatStatus(v)}`).join('\n\n'))
    })
}

/** The running members of a local commons kept in this data dir (`members/<name>`), if any. */
async function localMembers(dataDir: string): Promise<[string, NodeApi][]> {
  if ((await findNode(dataDir)) !== undefined) return []
  const names = await readdir(join(dataDir, 'members')).catch(() => [] as string[])
  const found = await Promise.all(
    names.sort().map(async (n) => [n, await findNode(join(dataDir, 'members', n))] as const),
  )
  return found.filter((f): f is [string, NodeApi] => f[1] !== undefined)
}

/** Reads each part on its own: one that fails (the chain down, say) does not hide the others. */
async function gather(node: NodeApi): Promise<NodeStatusView> {
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
  return { apiUrl: node.apiUrl, health, chain, peers, serving, store, training, metrics }
}
