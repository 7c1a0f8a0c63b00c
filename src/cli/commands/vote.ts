import type { Command } from 'commander'
import { InvalidInputError } from '../../errors.ts'
import { withClient } from '../context.ts'
import { formatProposal } from '../format.ts'

/** `commons vote <id> for|against|abstain`. */
export function registerVote(program: Command): void {
  program
    .command('vote')
    .description('vote on a proposal')
    .argument('<proposal>', 'proposal reference (e.g. 1.2) or id')
    .argument('<support>', 'for, against or abstain')
    .option('--reason <text>', 'reason, recorded on chain')
    .action(async (proposal: string, support: string, o: { reason?: string }, cmd: Command) => {
      if (!isSupport(support)) {
        throw new InvalidInputError(`A vote is "for", "against" or "abstain", not "${support}".`)
      }
      await withClient(
        cmd,
        (client, ctx) => client.vote({ account: ctx.account, proposal, support, reason: o.reason }),
        (p) => `Voted ${support} as ${p.voter}\n${formatProposal(p)}`,
      )
    })
}

function isSupport(v: string): v is 'for' | 'against' | 'abstain' {
  return v === 'for' || v === 'against' || v === 'abstain'
}
