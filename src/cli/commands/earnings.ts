import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { type CurrencyView, money } from '../money.ts'
import { requireNode } from '../node-api.ts'

interface EarningsView {
  currency?: CurrencyView
  accounts: {
    name: string
    address: string
    depositWei: string
    node: { claimableWei: string }
    owner: { model?: string; modelId: string; claimableWei: string }[]
    contributor: { model?: string; modelId: string; versionId: string; claimableWei: string }[]
  }[]
}

/** `commons earnings`: what each local account can claim (serving, ownership, training). */
export function registerEarnings(program: Command): void {
  program
    .command('earnings')
    .description("what this node's accounts earned and can claim: serving, owner and contributor revenue")
    .option('--all', 'every local account (default: --account, or the node)')
    .action(async (o: { all?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const q = o.all === true ? '' : `?account=${encodeURIComponent(ctx.account)}`
      print(ctx.opts, await node.json<EarningsView>('GET', `/api/earnings${q}`), (e) =>
        e.accounts
          .map((a) =>
            [
              `${a.name} ${a.address}  deposit ${money(a.depositWei, e.currency)}`,
              `  serving: ${money(a.node.claimableWei, e.currency)}`,
              ...a.owner.map(
                (x) => `  owner of ${x.model ?? x.modelId}: ${money(x.claimableWei, e.currency)}`,
              ),
              ...a.contributor.map(
                (x) =>
                  `  contributor to ${x.model ?? x.modelId}@${x.versionId}: ${money(x.claimableWei, e.currency)}`,
              ),
            ].join('\n'),
          )
          .join('\n'),
      )
    })
}
