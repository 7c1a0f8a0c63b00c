import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

/** `commons settle`: redeem the vouchers this node holds now, in one transaction. */
export function registerSettle(program: Command): void {
  program
    .command('settle')
    .description('redeem the vouchers this node holds on the usage escrow now (it also does so every epoch)')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const r = await node.json<{
        vouchers: number
        paidWei: string
        transactions: string[]
        failed: number
      }>('POST', '/api/usage/settle', {})
      print(ctx.opts, r, (x) =>
        x.vouchers === 0 && x.failed === 0
          ? 'Nothing to settle.'
          : `settled ${x.vouchers} voucher(s) for ${x.paidWei} wei in ${x.transactions.length} transaction(s)${x.failed > 0 ? `; ${x.failed} failed` : ''}`,
      )
    })
}
