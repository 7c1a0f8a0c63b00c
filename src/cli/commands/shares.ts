import type { Command } from 'commander'
import { withClient } from '../context.ts'

/** `commons shares --model <m> [--of <account>]`. */
export function registerShares(program: Command): void {
  program
    .command('shares')
    .description("an account's shares and voting power in a model")
    .requiredOption('--model <model>', 'model id or name')
    .option('--of <address|account>', 'whose shares (default: --account)')
    .action(async (o: { model: string; of?: string }, cmd: Command) => {
      await withClient(
        cmd,
        (client, ctx) => client.shares({ model: o.model, account: o.of ?? ctx.account }),
        (s) =>
          `${s.account} holds ${s.shares} shares of ${s.model} (${s.percent}%), votes ${s.votes}, delegate ${s.delegate}`,
      )
    })
}
