import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'
import { formatBytes } from '../progress-bar.ts'

interface Content {
  root: string
  name?: string
  size: number
  complete: boolean
  pinned: boolean
  missingChunks: number
}

/** `commons store ls`. */
export function registerStoreLs(store: Command): void {
  store
    .command('ls')
    .description('list the content in the store')
    .action(async (_o, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const { contents } = await (await requireNode(ctx.dataDir)).json<{ contents: Content[] }>(
        'GET',
        '/api/store',
      )
      print(ctx.opts, contents, (cs) =>
        cs.length === 0
          ? 'The store is empty. Add a file with `commons store add <file>`.'
          : cs
              .map(
                (c) =>
                  `${c.root}  ${formatBytes(c.size).padStart(9)}  ${c.pinned ? 'pinned' : '      '}  ${c.complete ? 'complete' : `${c.missingChunks} chunks missing`}  ${c.name ?? ''}`,
              )
              .join('\n'),
      )
    })
}
