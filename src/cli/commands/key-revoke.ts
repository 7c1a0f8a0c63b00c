import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { keyClient } from '../key-client.ts'

/** `commons key revoke <id>`: revokes an API key; a running node refuses it from its next request. */
export function registerKeyRevoke(key: Command): void {
  key
    .command('revoke')
    .description('revoke an API key by id')
    .argument('<id>', 'key id, as `commons key list` shows it')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const record = await (await keyClient(ctx.dataDir)).revoke(id)
      print(ctx.opts, record, (r) => `Revoked key ${r.id} (${r.label}).`)
    })
}
