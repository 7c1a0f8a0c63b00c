import type { Command } from 'commander'
import type { TrainingJobStatus } from '../../federated/index.ts'
import { commandContext, print } from '../context.ts'
import { requireNode } from '../node-api.ts'

function formatJob(j: TrainingJobStatus): string {
  const lines = [
    `job ${j.jobId}  ${j.status}  round ${j.round} of ${j.rounds}  (${j.role}${j.coordinator ? `, coordinator ${j.coordinator}` : ''})`,
    `  members: ${j.members.map((m) => m.address).join(', ')}`,
    ...j.losses.map(
      (l) =>
        `  round ${l.round}: ${l.members} members, ${l.dropped} dropped, loss ${l.meanLoss?.toFixed(3) ?? '-'}${l.wallMs ? `, ${(l.wallMs / 1000).toFixed(1)} s` : ''}`,
    ),
  ]
  if (j.resultRoot) lines.push(`  result ${j.resultRoot}${j.proposalId ? `, proposal ${j.proposalId}` : ''}`)
  if (j.error) lines.push(`  error: ${j.error}`)
  return lines.join('\n')
}

/** `commons train status [job]`: progress of training jobs (round i of n, members, losses). */
export function registerTrainStatus(train: Command): void {
  train
    .command('status')
    .description('show training jobs: round i of n, members, losses, result')
    .argument('[job]', 'training job id (default: every job this node knows)')
    .action(async (job: string | undefined, _o: unknown, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      if (job !== undefined) {
        print(
          ctx.opts,
          await node.json<TrainingJobStatus>('GET', `/api/training/${encodeURIComponent(job)}`),
          formatJob,
        )
        return
      }
      const { jobs } = await node.json<{ jobs: TrainingJobStatus[] }>('GET', '/api/training')
      print(ctx.opts, jobs, (js) =>
        js.length === 0 ? 'No training jobs on this node.' : js.map(formatJob).join('\n'),
      )
    })
}
