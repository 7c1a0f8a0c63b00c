import type { Command } from 'commander'
import { withClient } from '../context.ts'

/** `commons delegate --model <m> --to <account>`. */
export function registerDelegate(program: Command): void {
  program
    .command('delegate')
    .description('delegate your voting power in a model to another account (or yourself)')
    .requiredOption('--model <model>', 'model id or name')
    .requiredOption('--to <address|account>', 'delegatee')
    .action(async (o: { model: string; to: string }, cmd: Command) => {
      await withClient(
        cmd,
        (client, ctx) => client.delegate({ account: ctx.account, model: o.model, to: o.to }),
        (s) => `${s.account} now delegates to ${s.delegate}`,
      )
    })
}
