import type { Command } from 'commander'
import { createKeyBody } from '../../api/index.ts'
import { InvalidInputError } from '../../errors.ts'
import { commandContext, print } from '../context.ts'
import { keyClient } from '../key-client.ts'

/** `commons key create --label L [--address A]`: issues an API key for /v1 and prints it once. */
export function registerKeyCreate(key: Command): void {
  key
    .command('create')
    .description('issue an API key for the OpenAI-compatible API (printed once; only its hash is stored)')
    .requiredOption('--label <label>', 'who or what the key is for')
    .option('--address <address>', 'EVM address the key acts for (metering, allowlists)')
    .action(async (opts: { label: string; address?: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const input = createKeyBody.safeParse({ label: opts.label, address: opts.address })
      if (!input.success) {
        const field = String(input.error.issues[0]?.path[0] ?? 'label')
        throw new InvalidInputError(
          field === 'address'
            ? `--address ${opts.address} is not a 0x-prefixed 20-byte address.`
            : `--label must be 1 to 200 characters.`,
        )
      }
      const { key: secret, record } = await (await keyClient(ctx.dataDir)).create(input.data)
      print(
        ctx.opts,
        { key: secret, id: record.id, label: record.label, address: record.address },
        (r) =>
          `${r.key}\n\nKey id ${r.id} (${r.label}). This is the only time the key is shown; store it now.`,
      )
    })
}
