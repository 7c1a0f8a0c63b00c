import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { InvalidInputError } from '../../errors.ts'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

/** `commons train start`: record a federated training job on chain and coordinate it from this node. */
export function registerTrainStart(train: Command): void {
  train
    .command('start')
    .description(
      'create a federated training job from a spec file and coordinate it (or resume one with --job)',
    )
    .option(
      '--spec <file>',
      'job spec (JSON): model, base, strategy, privacy, participants, rounds, local steps, contribution',
    )
    .option('--base <gguf>', 'base model GGUF file')
    .option('--corpus <path>', "this node's own training data (text file or folder)")
    .option('--job <id>', 'resume an existing job as coordinator, taking over from a dead coordinator')
    .action(async (o: Record<string, string | undefined>, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      if (o.job !== undefined) {
        const res = await node.json<{ jobId: string }>(
          'POST',
          `/api/training/${encodeURIComponent(o.job)}/resume`,
        )
        print(
          ctx.opts,
          res,
          (r) => `Resuming training job ${r.jobId}; follow it with \`commons train status ${r.jobId}\`.`,
        )
        return
      }
      if (o.spec === undefined || o.base === undefined) {
        throw new InvalidInputError(
          'Give --spec <file> and --base <gguf> to start a job, or --job <id> to resume one.',
        )
      }
      let spec: unknown
      try {
        spec = JSON.parse(await readFile(o.spec, 'utf8'))
      } catch (err) {
        throw new InvalidInputError(`Cannot read the job spec ${o.spec} as JSON.`, { cause: err })
      }
      const res = await node.json<{ jobId: string }>('POST', '/api/training', {
        spec,
        baseGguf: resolve(o.base),
        corpusPath: o.corpus === undefined ? undefined : resolve(o.corpus),
      })
      print(
        ctx.opts,
        res,
        (r) =>
          `Training job ${r.jobId} recorded and started; follow it with \`commons train status ${r.jobId}\`.`,
      )
    })
}
