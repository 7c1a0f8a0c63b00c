import { resolve } from 'node:path'
import type { Command } from 'commander'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

/** `commons train join`: take part in a job with this node's local data (which never leaves the node). */
export function registerTrainJoin(train: Command): void {
  train
    .command('join')
    .description("take part in a training job with this node's local data; it never leaves the node")
    .argument('<job>', 'training job id')
    .requiredOption('--corpus <path>', 'local training data (text file or folder)')
    .action(async (job: string, o: { corpus: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const res = await node.json<{ jobId: string }>(
        'POST',
        `/api/training/${encodeURIComponent(job)}/join`,
        {
          corpusPath: resolve(o.corpus),
        },
      )
      print(
        ctx.opts,
        res,
        (r) => `Joined training job ${r.jobId}: this node trains when the coordinator calls a round.`,
      )
    })
}
