import { resolve } from 'node:path'
import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

/** `commons store add <file> [--propose <model>]`. */
export function registerStoreAdd(store: Command): void {
  store
    .command('add')
    .description(
      'add a file to the content store; prints its content root (--propose also proposes it as a version)',
    )
    .argument('<file>', 'file on this machine (e.g. GGUF weights)')
    .option('--name <name>', 'name recorded in the manifest')
    .option('--propose <model>', 'record it as a version of this model and propose publishing it')
    .option('--format <format>', 'format of the version (with --propose)', 'gguf')
    .action(async (file: string, o: { name?: string; propose?: string; format: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const added = await node.json<{ root: string; cid: string; size: number; chunks: number }>(
        'POST',
        '/api/store/add',
        {
          path: resolve(file),
          name: o.name,
        },
      )
      let proposal: { ref: string; state: string } | undefined
      if (o.propose) {
        proposal = await node.json('POST', '/api/proposals', {
          account: ctx.account,
          model: o.propose,
          kind: 'publish-version',
          contentRoot: added.root,
          size: String(added.size),
          format: o.format,
        })
      }
      print(ctx.opts, { ...added, proposal }, (r) =>
        [
          `${r.root}`,
          `  cid ${r.cid}, ${r.size} bytes in ${r.chunks} chunks (pinned)`,
          ...(r.proposal
            ? [`  proposed as a version: proposal ${r.proposal.ref} (${r.proposal.state})`]
            : []),
        ].join('\n'),
      )
    })
}
