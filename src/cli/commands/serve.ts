import type { Command } from 'commander'
import { readServingList, updateServingList } from '../../inference/index.ts'
import { dataDirLayout } from '../../node/index.ts'
import { commandContext, print } from '../context.ts'
import { findNode } from '../node-api.ts'

/** What `/api/serving` answers: the list, the versions loaded, and published versions that did not load. */
interface ServingStatus {
  models: string[]
  serving?: { model: string; version: string; contentRoot: string }[]
  failures?: { model: string; versionId: string; reason: string }[]
}

/** `commons serve <model> [--remove]`: marks a model (name, id or name@version) to load and announce. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'serve a model for inference on this node: load its latest published version and announce it (a running node picks it up at once)',
    )
    .argument('[model]', 'model name, id, or name@version; omit to show the list')
    .option('--remove', 'stop serving the model')
    .action(async (model: string | undefined, opts: { remove?: boolean }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      // A running node owns the list: it writes it and loads what it names at once.
      const node = await findNode(ctx.dataDir)
      const path = dataDirLayout(ctx.dataDir).servingList
      const status = node
        ? await node.json<ServingStatus>(
            model === undefined ? 'GET' : 'POST',
            '/api/serving',
            model === undefined ? undefined : { model, remove: opts.remove },
          )
        : {
            models:
              model === undefined
                ? await readServingList(path)
                : await updateServingList(path, model, { remove: opts.remove }),
          }
      print(ctx.opts, status, (r) =>
        [
          r.models.length === 0 ? 'This node serves no models.' : `This node serves: ${r.models.join(', ')}`,
          ...(r.serving ?? []).map((m) => `  loaded ${m.model}@${m.version} (${m.contentRoot})`),
          ...(r.failures ?? []).map(
            (f) => `  NOT LOADED ${f.model}@${f.versionId}: ${f.reason} (the previous version keeps serving)`,
          ),
        ].join('\n'),
      )
    })
}
