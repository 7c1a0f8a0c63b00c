import type { Command } from 'commander'
import { withClient } from '../context.ts'
import { formatProposal } from '../format.ts'

/** `commons queue <id>`: put a succeeded proposal in the timelock. */
export function registerQueue(program: Command): void {
  program
    .command('queue')
    .description("queue a succeeded proposal in the model's timelock")
    .argument('<proposal>', 'proposal reference (e.g. 1.2) or id')
    .action(async (proposal: string, _o, cmd: Command) => {
      await withClient(
        cmd,
        (client, ctx) => client.queue({ account: ctx.account, proposal }),
        (p) => `Queued\n${formatProposal(p)}`,
      )
    })
}
