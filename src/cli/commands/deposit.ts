import type { Command } from 'commander'
import { parseEther } from 'viem'
import { InvalidInputError } from '../../errors.ts'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

/** `commons deposit <amount> [--authorize <address>]`: fund the account's usage escrow deposit (ether units). */
export function registerDeposit(program: Command): void {
  program
    .command('deposit')
    .description(
      "deposit into the usage escrow for the account's use of paid models; --authorize lets a node sign vouchers for it",
    )
    .argument('[amount]', 'amount in ether (e.g. 0.5)')
    .option(
      '--authorize <address>',
      'a node address that may sign vouchers paid from this deposit (e.g. your gateway node)',
    )
    .action(async (amount: string | undefined, o: { authorize?: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      let amountWei: string | undefined
      if (amount !== undefined) {
        try {
          amountWei = parseEther(amount).toString()
        } catch {
          throw new InvalidInputError(`"${amount}" is not an amount of ether; write it like 0.5.`)
        }
      }
      const node = await requireNode(ctx.dataDir)
      const r = await node.json<{
        account: string
        depositWei: string
        depositTx?: string
        authorizeTx?: string
      }>('POST', '/api/usage/deposit', { account: ctx.account, amountWei, authorize: o.authorize })
      print(ctx.opts, r, (x) =>
        [
          `${x.account} now has ${x.depositWei} wei in the usage escrow`,
          o.authorize ? `${o.authorize} may sign vouchers for it` : '',
        ]
          .filter(Boolean)
          .join('\n'),
      )
    })
}
