import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { keyClient } from '../key-client.ts'

/** `commons key list`: the API keys issued here (ids, labels, addresses, status; never the keys). */
export function registerKeyList(key: Command): void {
  key
    .command('list')
    .description('list API keys (ids and labels; the keys themselves are not stored)')
    .action(async (_opts: unknown, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const rows = await (await keyClient(ctx.dataDir)).list()
      print(ctx.opts, rows, (list) =>
        list.length === 0
          ? 'No API keys. Create one with `commons key create --label <label>`.'
          : list
              .map(
                (r) =>
                  `${r.id}  ${(r.revokedAt === null ? 'active' : 'revoked').padEnd(7)}  ${r.label}${r.address ? `  ${r.address}` : ''}`,
              )
              .join('\n'),
      )
    })
}
