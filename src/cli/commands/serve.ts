import type { Command } from 'commander'
import { readServingList, updateServingList } from '../../inference/index.ts'
import { commandContext, print } from '../context.ts'

/** `commons serve <model> [--remove]`: marks a model (name, id or name@version) to load and announce. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve a model for inference on this node: load its latest published version and announce it (a running node picks it up within inference.refreshMs)',
    )
    .argument('[model]', 'model name, id, or name@version; omit to show the list')
    .option('--remove', 'stop serving the model')
    .action(async (model: string | undefined, opts: { remove?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const models =
        model === undefined
          ? await readServingList(ctx.dataDir)
          : await updateServingList(ctx.dataDir, model, { remove: opts.remove })
      print(ctx.opts, { models }, (r) =>
        r.models.length === 0 ? 'This node serves no models.' : `This node serves: ${r.models.join(', ')}`,
      )
    })
}
