import type { Command } from 'commander'
import { withClient } from '../context.ts'
import { formatProposal } from '../format.ts'

/** `commons execute <id>`: run a queued proposal after its delay. */
export function registerExecute(program: Command): void {
  program
    .command('execute')
    .description('execute a queued proposal once the timelock delay has passed')
    .argument('<proposal>', 'proposal reference (e.g. 1.2) or id')
    .action(async (proposal: string, _o, cmd: Command) => {
      await withClient(
        cmd,
        (client, ctx) => client.execute({ account: ctx.account, proposal }),
        (p) => `Executed\n${formatProposal(p)}`,
      )
    })
}
