import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

interface StoreAddOptions {
  name?: string
  propose?: string
  format: string
  intendedUse?: string
  limits?: string
  ethicsFile?: string
}

/** `commons store add <file> [--propose <model>]`: a version proposed this way gets a model card in the store. */
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
    .option('--intended-use <text>', 'model card: what the version is for (with --propose)')
    .option('--limits <text>', 'model card: known limits and risks (with --propose)')
    .option('--ethics-file <path>', 'model card: the ethics statement the owners adopted (with --propose)')
    .action(async (file: string, o: StoreAddOptions, cmd: Command) => {
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
          card:
            o.intendedUse || o.limits || o.ethicsFile
              ? {
                  intendedUse: o.intendedUse,
                  limits: o.limits,
                  ethicsStatement: o.ethicsFile ? await readFile(o.ethicsFile, 'utf8') : undefined,
                }
              : undefined,
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
