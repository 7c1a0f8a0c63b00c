#!/usr/bin/env node
import { CommanderError } from 'commander'
import { errorCodeOf } from '../error-codes.ts'
import { createCli } from './cli.ts'
import { formatCliError } from './errors.ts'

// Entry of the `commons` CLI: run the command, translate errors to one message and an exit code.
const program = createCli().exitOverride()
try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : 2)
  }
  const verbose = program.opts<{ verbose?: boolean }>().verbose === true
  process.stderr.write(formatCliError(err, { verbose }))
  process.exit(errorCodeOf(err).exit)
}
