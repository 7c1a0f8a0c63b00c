import type { Command } from 'commander'
import { ApiKeyStore } from '../../api/api-keys/api-key-store.ts'
import { InvalidInputError } from '../../errors.ts'
import { commandContext, print } from '../context.ts'

/** `commons key create --label L [--address A]`: issues an API key for /v1 and prints it once. */
export function registerKeyCreate(key: Command): void {
  key
    .command('create')
    .description('issue an API key for the OpenAI-compatible API (printed once; only its hash is stored)')
    .requiredOption('--label <label>', 'who or what the key is for')
    .option('--address <address>', 'EVM address the key acts for (metering, allowlists)')
    .action(async (opts: { label: string; address?: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      if (opts.address !== undefined && !/^0x[0-9a-fA-F]{40}$/.test(opts.address)) {
        throw new InvalidInputError(`--address ${opts.address} is not a 0x-prefixed 20-byte address.`)
      }
      const store = new ApiKeyStore({ dataDir: ctx.dataDir })
      const { key: secret, record } = await store.create({ label: opts.label, address: opts.address })
      print(
        ctx.opts,
        { key: secret, id: record.id, label: record.label, address: record.address },
        (r) =>
          `${r.key}\n\nKey id ${r.id} (${r.label}). This is the only time the key is shown; store it now.`,
      )
    })
}
