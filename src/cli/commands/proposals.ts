import type { Command } from 'commander'
import { withClient } from '../context.ts'
import { formatProposal } from '../format.ts'

/** `commons proposals [--model]`. */
export function registerProposals(program: Command): void {
  program
    .command('proposals')
    .description('list proposals with their state and votes')
    .option('--model <model>', 'only this model')
    .action(async (o: { model?: string }, cmd: Command) => {
      await withClient(
        cmd,
        (client) => client.listProposals(o.model),
        (ps) => (ps.length === 0 ? 'No proposals.' : ps.map(formatProposal).join('\n\n')),
      )
    })
}
