import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

/** `commons store unpin <root>`: let garbage collection remove content. */
export function registerStoreUnpin(store: Command): void {
  store
    .command('unpin')
    .description('let garbage collection remove content')
    .argument('<root>', 'content root')
    .action(async (root: string, _o, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const r = await (await requireNode(ctx.dataDir)).json(
        'POST',
        `/api/store/${encodeURIComponent(root)}/unpin`,
      )
      print(ctx.opts, r, () => `unpinned ${root} (run \`commons store gc\` to free its space)`)
    })
}
