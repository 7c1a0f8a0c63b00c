import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { type CurrencyView, money } from '../money.ts'
import { requireNode } from '../node-api.ts'

interface Totals {
  requests: number
  promptTokens: number
  completionTokens: number
}
interface UsageView {
  served: Totals & { revenueWei: string }
  consumed: Totals & { spendWei: string }
  settledWei: string
  unredeemedWei: string
  unpaidReceipts: number
  unpaidWei: string
  undeliveredVouchers: number
  currency?: CurrencyView
}

/** `commons usage [--model M]`: what this node served (revenue) and consumed (spend). */
export function registerUsage(program: Command): void {
  program
    .command('usage')
    .description('requests, tokens, revenue and spend of this node (metered paid use)')
    .option('--model <model>', 'one model (id or name)')
    .action(async (o: { model?: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const q = o.model === undefined ? '' : `?model=${encodeURIComponent(o.model)}`
      print(ctx.opts, await node.json<UsageView>('GET', `/api/usage${q}`), (u) =>
        [
          `served:   ${u.served.requests} requests, ${u.served.promptTokens} prompt + ${u.served.completionTokens} completion tokens, revenue ${money(u.served.revenueWei, u.currency)}`,
          `consumed: ${u.consumed.requests} requests, ${u.consumed.promptTokens} prompt + ${u.consumed.completionTokens} completion tokens, spend ${money(u.consumed.spendWei, u.currency)}`,
          `settled ${money(u.settledWei, u.currency)}; held unredeemed ${money(u.unredeemedWei, u.currency)}; ${u.unpaidReceipts} receipts unpaid (${money(u.unpaidWei, u.currency)}); ${u.undeliveredVouchers} vouchers to deliver`,
        ].join('\n'),
      )
    })
}
