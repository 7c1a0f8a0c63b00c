import type { Command } from 'commander'
import type { DatasetDto, WithdrawalRemedyDto } from '../../data/index.ts'
import { commandContext, print } from '../context.ts'
import { formatDataset, formatRemedy } from '../format-data.ts'
import { requireNode } from '../node-api.ts'

/** `commons data withdraw <id>`: withdraw this node's dataset, then print the proposals it calls for. */
export function registerDataWithdraw(data: Command): void {
  data
    .command('withdraw')
    .description(
      'withdraw your dataset for good: no later round uses it; prints the revoke and retrain proposals',
    )
    .argument('<id>', 'dataset id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const res = await node.json<{ dataset: DatasetDto; remedy: WithdrawalRemedyDto }>(
        'POST',
        `/api/datasets/${encodeURIComponent(id)}/withdraw`,
      )
      print(ctx.opts, res, (r) => `Withdrawn\n${formatDataset(r.dataset)}\n${formatRemedy(r.remedy)}`)
    })
}
