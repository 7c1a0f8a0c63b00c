import type { Command } from 'commander'
import type { DatasetDto } from '../../data/index.ts'
import { commandContext, print } from '../context.ts'
import { formatDataset } from '../format-data.ts'
import { requireNode } from '../node-api.ts'

/** `commons data list`: every registered dataset, its licence, purposes and whether it was withdrawn. */
export function registerDataList(data: Command): void {
  data
    .command('list')
    .description('list registered datasets: owner, licence, purposes, withdrawn or not')
    .action(async (_o: unknown, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const { datasets } = await node.json<{ datasets: DatasetDto[] }>('GET', '/api/datasets')
      print(ctx.opts, datasets, (ds) =>
        ds.length === 0 ? 'No datasets registered.' : ds.map(formatDataset).join('\n'),
      )
    })
}
