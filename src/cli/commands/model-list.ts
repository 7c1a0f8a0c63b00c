import type { Command } from 'commander'
import { withClient } from '../context.ts'

/** `commons model list`. */
export function registerModelList(model: Command): void {
  model
    .command('list')
    .description('list models')
    .action(async (_o, cmd: Command) => {
      await withClient(
        cmd,
        (client) => client.listModels(),
        (models) =>
          models.length === 0
            ? 'No models yet. Create one with `commons model create`.'
            : models
                .map(
                  (m) =>
                    `${m.id.padStart(3)}  ${m.name.padEnd(24)} ${m.totalShares.padStart(8)} shares  latest v${m.latestPublishedVersion}`,
                )
                .join('\n'),
      )
    })
}
