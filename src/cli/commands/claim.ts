import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { type CurrencyView, money } from '../money.ts'
import { requireNode } from '../node-api.ts'

/** `commons claim node|owner|contributor [--model M] [--version V]`: take earned revenue. */
export function registerClaim(program: Command): void {
  program
    .command('claim')
    .description(
      'claim revenue: serving (node), ownership (owner --model) or training (contributor --model --version)',
    )
    .argument('<kind>', 'node, owner or contributor')
    .option('--model <model>', 'model id or name (owner, contributor)')
    .option('--version <version>', 'version id (contributor)')
    .action(async (kind: string, o: { model?: string; version?: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const r = await node.json<{
        account: string
        txHash: string
        amountWei: string
        currency?: CurrencyView
      }>('POST', '/api/earnings/claim', {
        account: ctx.account,
        kind,
        model: o.model,
        version: o.version,
      })
      print(ctx.opts, r, (x) => `${x.account} claimed ${money(x.amountWei, x.currency)} (${x.txHash})`)
    })
}
