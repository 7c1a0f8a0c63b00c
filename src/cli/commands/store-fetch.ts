import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { FetchFailedError } from '../errors.ts'
import { requireNode } from '../node-api.ts'
import { formatBytes, renderProgress } from '../progress-bar.ts'

/** `commons store fetch <root>`: pull content from peers with a progress bar (rate, ETA). */
export function registerStoreFetch(store: Command): void {
  store
    .command('fetch')
    .description('fetch content from the peers that hold it, verifying every chunk')
    .argument('<root>', 'content root (64 hex digits) or manifest CID')
    .action(async (root: string, _o, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const ac = new AbortController()
      process.once('SIGINT', () => ac.abort())
      const tty = process.stderr.isTTY && !ctx.opts.json
      let result: Record<string, unknown> | undefined
      for await (const line of node.lines('/api/store/fetch', { root }, ac.signal)) {
        if (line.type === 'progress' && tty) {
          process.stderr.write(
            `\r${renderProgress(line.doneBytes as number, line.totalBytes as number, line.rate as number)}`,
          )
        } else if (line.type === 'done') {
          result = line.result as Record<string, unknown>
        } else if (line.type === 'error') {
          if (tty) process.stderr.write('\n')
          const e = line.error as { code: string; message: string }
          const err = new FetchFailedError(e.message)
          err.name = e.code
          throw err
        }
      }
      if (tty) process.stderr.write('\n')
      if (!result)
        throw new FetchFailedError('The node closed the fetch without a result; retry the command to resume.')
      print(ctx.opts, result, (r) => {
        const secs = (r.durationMs as number) / 1000
        return `${r.root}: ${formatBytes(r.size as number)} verified (${r.fetchedChunks} chunks fetched, ${r.reusedChunks} already here) in ${secs.toFixed(1)}s, ${formatBytes((r.fetchedBytes as number) / Math.max(secs, 0.001))}/s`
      })
    })
}
