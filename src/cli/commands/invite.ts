import type { Command } from 'commander'
import { InvalidInputError } from '../../errors.ts'
import { createInvite } from '../../node/index.ts'
import { commandContext, print } from '../context.ts'

/** `commons invite`: print a signed invite another machine joins with (`commons join <invite>`). */
export function registerInvite(program: Command): void {
  program
    .command('invite')
    .description("print an invite to this node's commons, signed by this node")
    .option('--rpc-url <url>', 'chain URL joining machines use (default: this node’s own)')
    .option('--bootstrap <multiaddr...>', 'peers to dial (default: this node’s registered addresses)')
    .option('--expires <duration>', 'how long the invite is valid: 30m, 24h, 7d', '7d')
    .action(async (o: { rpcUrl?: string; bootstrap?: string[]; expires: string }, cmd: Command) => {
      const ctx = await commandContext(cmd)
      const { invite, payload } = await createInvite({
        dataDir: ctx.dataDir,
        passphrase: ctx.passphrase,
        rpcUrl: o.rpcUrl,
        bootstrap: o.bootstrap,
        ttlSeconds: parseDuration(o.expires),
      })
      print(ctx.opts, { invite, ...payload }, () =>
        [
          invite,
          '',
          `Valid until ${new Date(payload.expiresAt * 1000).toISOString()} for chain ${payload.chainId} at ${payload.rpcUrl}.`,
          'On the new machine: `commons --data <fresh dir> join <invite>`.',
        ].join('\n'),
      )
    })
}

/** `30m`, `24h`, `7d` (or plain seconds) in seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim())
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m?.[2] ?? ''] ?? 1
  const seconds = m ? Number(m[1]) * unit : Number.NaN
  if (!Number.isSafeInteger(seconds) || seconds <= 0 || seconds > 365 * 86_400)
    throw new InvalidInputError(
      `--expires takes a duration like 30m, 24h or 7d (at most 365d), not "${text}".`,
    )
  return seconds
}
