import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { keccak256 } from 'viem'
import type { DatasetDto } from '../../data/index.ts'
import { InvalidInputError } from '../../errors.ts'
import { commandContext, print } from '../context.ts'
import { formatDataset } from '../format-data.ts'
import { requireNode } from '../node-api.ts'

/** `commons data add <path>`: register a dataset on this node's disk; only its manifest root goes on chain. */
export function registerDataAdd(data: Command): void {
  data
    .command('add')
    .description(
      "register a dataset on this node's disk: its manifest root, licence and consent go on chain, the data stays here",
    )
    .argument('<path>', 'text file or folder of text files')
    .requiredOption('--licence <spdx>', 'SPDX licence id, e.g. CC-BY-4.0')
    .requiredOption('--purpose <purpose...>', 'purposes the consent allows, e.g. research education')
    .option('--consent-uri <uri>', 'where the consent terms are published', '')
    .option('--consent-file <path>', 'the text of the consent terms (its keccak-256 hash goes on chain)')
    .option('--consent-hash <hex>', 'hash of the consent terms (instead of --consent-file)')
    .action(async (path: string, o: Record<string, string & string[]>, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const consentHash =
        o.consentFile !== undefined ? keccak256(await readFile(o.consentFile)) : o.consentHash
      if (consentHash === undefined)
        throw new InvalidInputError('Give the consent terms: --consent-file <path> or --consent-hash <0x…>.')
      const node = await requireNode(ctx.dataDir)
      const res = await node.json<DatasetDto & { files: number }>('POST', '/api/datasets', {
        path: resolve(path),
        licence: o.licence,
        consentUri: o.consentUri,
        consentHash,
        purposes: o.purpose,
      })
      print(
        ctx.opts,
        res,
        (d) =>
          `Registered (${d.files} files; the data stays on this node)\n${formatDataset(d)}\nTrain with it: \`commons train join <job> --dataset ${d.id}=${resolve(path)}\``,
      )
    })
}
