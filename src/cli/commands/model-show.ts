import type { Command } from 'commander'
import { withClient } from '../context.ts'
import { formatModel } from '../format.ts'

/** `commons model show <model>`. */
export function registerModelShow(model: Command): void {
  model
    .command('show')
    .description('show a model, its governance and versions')
    .argument('<model>', 'model id or name')
    .action(async (id: string, _o, cmd: Command) => {
      await withClient(cmd, (client) => client.showModel(id), formatModel)
    })
}
