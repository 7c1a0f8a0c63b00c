import type { Command } from 'commander'
import { dataDirLayout, Keystore } from '../../node/index.ts'
import { commandContext, print } from '../context.ts'

/** `commons whoami`: the node's address (and with --all, every local account). */
export function registerWhoami(program: Command): void {
  program
    .command('whoami')
    .description("show this node's address (the same key is its libp2p PeerId)")
    .option('--all', 'list every local account')
    .action(async (opts: { all?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const keystore = new Keystore({ dir: dataDirLayout(ctx.dataDir).accounts, passphrase: ctx.passphrase })
      const names = opts.all ? await keystore.names() : [ctx.account]
      const accounts = await Promise.all(
        names.map(async (name) => ({ name, address: (await keystore.get(name)).address })),
      )
      print(ctx.opts, opts.all ? accounts : accounts[0], () =>
        accounts.map((a) => `${a.name.padEnd(12)} ${a.address}`).join('\n'),
      )
    })
}
