import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'
import { formatBytes } from '../progress-bar.ts'

/** `commons store gc`. */
export function registerStoreGc(store: Command): void {
  store
    .command('gc')
    .description('remove unpinned content and chunks nothing references')
    .action(async (_o, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const r = await (await requireNode(ctx.dataDir)).json<{
        removedManifests: string[]
        removedChunks: number
        freedBytes: number
      }>('POST', '/api/store/gc')
      print(
        ctx.opts,
        r,
        (x) =>
          `removed ${x.removedManifests.length} contents and ${x.removedChunks} chunks, freed ${formatBytes(x.freedBytes)}`,
      )
    })
}
