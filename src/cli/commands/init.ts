import { mkdir } from 'node:fs/promises'
import type { Command } from 'commander'
import { dataDirLayout, Keystore, readConfig, writeConfig } from '../../node/index.ts'
import { commandContext, print } from '../context.ts'
import { findNode } from '../node-api.ts'

/** `commons init`: create the data dir, its config and the node's key. */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('create the data dir, its config and the node key (idempotent)')
    .action(async (_opts, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const layout = dataDirLayout(ctx.dataDir)
      const result = { dataDir: layout.root, address: '', created: false }
      // A node runs on this data dir: it is initialized, and its files are the node's to write.
      const node = await findNode(layout.root)
      if (node !== undefined) result.address = node.address
      else {
        await mkdir(layout.root, { recursive: true, mode: 0o700 })
        await writeConfig(layout.config, await readConfig(layout.config))
        const keystore = new Keystore({ dir: layout.accounts, passphrase: ctx.passphrase })
        result.created = !(await keystore.names()).includes('node')
        result.address = (await keystore.get('node', { create: true })).address
      }
      print(ctx.opts, result, (r) =>
        [
          `${r.created ? 'Initialized' : 'Already initialized'} ${r.dataDir}`,
          `node address ${r.address}${ctx.passphrase ? ' (key encrypted with your passphrase)' : ''}`,
          node ? `A node runs on it (${node.apiUrl}).` : 'Start the node with `commons up`.',
        ].join('\n'),
      )
    })
}
