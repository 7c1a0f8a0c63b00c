import type { Command } from 'commander'
import { InvalidInputError } from '../../errors.ts'
import { withClient } from '../context.ts'

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** Parses `90`, `90s`, `10m`, `2h`, `1d` into seconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim())
  if (!m) throw new InvalidInputError(`"${text}" is not a duration: write e.g. 90s, 10m, 2h or 1d.`)
  const seconds = Number(m[1]) * UNITS[m[2] || 's']!
  if (seconds <= 0) throw new InvalidInputError('The duration must be greater than zero.')
  return seconds
}

/** `commons chain warp <duration>`: move devnet time forward. */
export function registerChainWarp(program: Command): void {
  program
    .command('chain')
    .description('chain utilities')
    .command('warp')
    .description('move the embedded devnet clock forward (demos and tests)')
    .argument('<duration>', 'e.g. 90s, 10m, 2h, 1d')
    .action(async (duration: string, _o, cmd: Command) => {
      const seconds = parseDuration(duration)
      await withClient(
        cmd,
        (client) => client.warp(seconds),
        (r) => `Chain time is now ${r.iso}`,
      )
    })
}
