import type { Command } from 'commander'
import { withClient } from '../context.ts'

/** `commons nodes`: the registered member nodes. */
export function registerNodes(program: Command): void {
  program
    .command('nodes')
    .description('list nodes registered in NodeRegistry')
    .action(async (_o, cmd: Command) => {
      await withClient(
        cmd,
        (client) => client.listNodes(),
        (nodes) =>
          nodes
            .map((n) => `${n.address}  ${n.capabilities.join(',')}  ${n.multiaddrs.join(' ')}`)
            .join('\n') || 'No nodes.',
      )
    })
}
