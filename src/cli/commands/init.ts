import { mkdir } from 'node:fs/promises'
import type { Command } from 'commander'
import { readConfig, writeConfig } from '../../node/config.ts'
import { dataDirLayout } from '../../node/data-dir.ts'
import { Keystore } from '../../node/keystore.ts'
import { commandContext, print } from '../context.ts'

/** `commons init`: create the data dir, its config and the node's key. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the data dir, its config and the node key (idempotent)')
    .action(async (_opts, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const layout = dataDirLayout(ctx.dataDir)
      await mkdir(layout.root, { recursive: true, mode: 0o700 })
      await writeConfig(layout.root, await readConfig(layout.root))
      const keystore = new Keystore({ dir: layout.accounts, passphrase: ctx.passphrase })
      const existed = (await keystore.names()).includes('node')
      const node = await keystore.get('node', { create: true })
      print(ctx.opts, { dataDir: layout.root, address: node.address, created: !existed }, (r) =>
        [
          `${r.created ? 'Initialized' : 'Already initialized'} ${r.dataDir}`,
          `node address ${r.address}${ctx.passphrase ? ' (key encrypted with your passphrase)' : ''}`,
          'Start the node with `commons up`.',
        ].join('\n'),
      )
    })
}
