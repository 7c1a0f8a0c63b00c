import type { Command } from 'commander'
import type { LineageDto } from '../../data/index.ts'
import { InvalidInputError } from '../../errors.ts'
import { commandContext, print } from '../context.ts'
import { formatLineage } from '../format-data.ts'
import { requireNode } from '../node-api.ts'

/** `commons lineage <model>@<version>`: the datasets, members, rounds and base version behind a version. */
export function registerLineage(program: Command): void {
  program
    .command('lineage')
    .description('show which datasets, members, rounds and base version produced a model version')
    .argument('<model@version>', 'model id or name, @, version id (e.g. tiny@2)')
    .action(async (ref: string, _o: unknown, cmd: Command) => {
      const at = ref.lastIndexOf('@')
      if (at <= 0 || at === ref.length - 1)
        throw new InvalidInputError(`"${ref}" is not <model>@<version>; e.g. \`commons lineage tiny@2\`.`)
      const ctx = await commandContext(cmd)
      const node = await requireNode(ctx.dataDir)
      const query = new URLSearchParams({ model: ref.slice(0, at), version: ref.slice(at + 1) })
      print(ctx.opts, await node.json<LineageDto>('GET', `/api/lineage?${query}`), formatLineage)
    })
}
