import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InvalidInputError } from '../../errors.ts'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

/** `commons train join`: take part in a job with this node's local data (which never leaves the node). */
export function registerTrainJoin(train: Command): void {
  train
    .command('join')
    .description("take part in a training job with this node's local data; it never leaves the node")
    .argument('<job>', 'training job id')
    .option('--corpus <path>', 'local training data (text file or folder)')
    .option('--dataset <id=path...>', 'registered datasets on this node (see `commons data add`)')
    .action(async (job: string, o: { corpus?: string; dataset?: string[] }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      if ((o.corpus === undefined) === (o.dataset === undefined))
        throw new InvalidInputError('Give either --corpus <path> or --dataset <id>=<path> (one or more).')
      const datasets = o.dataset?.map((d) => {
        const m = /^(\d+)=(.+)$/.exec(d)
        if (m === null) throw new InvalidInputError(`--dataset ${d}: write <id>=<path>, e.g. 3=./data/notes.`)
        return { id: m[1]!, path: resolve(m[2]!) }
      })
      const node = await requireNode(ctx.dataDir)
      const res = await node.json<{ jobId: string }>(
        'POST',
        `/api/training/${encodeURIComponent(job)}/join`,
        datasets === undefined ? { corpusPath: resolve(o.corpus!) } : { datasets },
      )
      print(
        ctx.opts,
        res,
        (r) => `Joined training job ${r.jobId}: this node trains when the coordinator calls a round.`,
      )
    })
}
