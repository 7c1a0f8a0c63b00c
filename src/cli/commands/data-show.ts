import type { Command } from 'commander'
import type { DatasetDto } from '../../data/index.ts'
import { commandContext, print } from '../context.ts'
import { formatDataset } from '../format-data.ts'
import { requireNode } from '../node-api.ts'

/** `commons data show <id>`: one dataset's record. */
export function registerDataShow(data: Command): void {
  data
    .command('show')
    .description("show a dataset's manifest root, licence, consent terms, purposes and owner")
    .argument('<id>', 'dataset id')
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      print(
        ctx.opts,
        await node.json<DatasetDto>('GET', `/api/datasets/${encodeURIComponent(id)}`),
        formatDataset,
      )
    })
}
