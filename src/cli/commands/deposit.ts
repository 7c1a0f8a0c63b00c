import type { Command } from 'commander'
import { InvalidInputError } from '../../errors.ts'
import { commandContext, print } from '../context.ts'
import { type CurrencyView, money } from '../money.ts'
import { requireNode } from '../node-api.ts'

/**
 * `commons deposit <amount> [--authorize <address>]`: fund the account's usage escrow deposit, in units of the
 * deployment's currency (ether, or the stablecoin it names: the node approves the escrow, then deposits).
 */
export function registerDeposit(program: Command): void {
  program
    .command('deposit')
    .description(
      "deposit into the usage escrow for the account's use of paid models; --authorize lets a node sign vouchers for it",
    )
    .argument('[amount]', "amount in the deployment's currency: ether, or its token's units (e.g. 0.5)")
    .option(
      '--authorize <address>',
      'a node address that may sign vouchers paid from this deposit (e.g. your gateway node)',
    )
    .action(async (amount: string | undefined, o: { authorize?: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      if (amount !== undefined && !/^\d+(\.\d+)?$/.test(amount))
        throw new InvalidInputError(`"${amount}" is not an amount; write it like 0.5.`)
      const node = await requireNode(ctx.dataDir)
      const r = await node.json<{
        account: string
        depositWei: string
        currency?: CurrencyView
        depositTx?: string
        authorizeTx?: string
      }>('POST', '/api/usage/deposit', { account: ctx.account, amount, authorize: o.authorize })
      print(ctx.opts, r, (x) =>
        [
          `${x.account} now has ${money(x.depositWei, x.currency)} in the usage escrow`,
          o.authorize ? `${o.authorize} may sign vouchers for it` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      )
    })
}
