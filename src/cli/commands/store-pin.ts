import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

/** `commons store pin <root>`: keep content through garbage collection. */
export function registerStorePin(store: Command): void {
  store
    .command('pin')
    .description('keep content through garbage collection')
    .argument('<root>', 'content root')
    .action(async (root: string, _o, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const r = await (await requireNode(ctx.dataDir)).json(
        'POST',
        `/api/store/${encodeURIComponent(root)}/pin`,
      )
      print(ctx.opts, r, () => `pinned ${root}`)
    })
}
