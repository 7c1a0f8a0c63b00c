#!/usr/bin/env node
import { CommanderError } from 'commander'
import { errorCodeOf } from '../error-codes.ts'
import { CommonsError } from '../errors.ts'
import { createCli } from './cli.ts'

// Entry of the `commons` CLI: run the command, translate errors to one message and an exit code.
const program = createCli().exitOverride()
try {
  await program.parseAsync(process.argv)
} catch (err) {
  if (err instanceof CommanderError) {
    process.exit(err.exitCode === 0 ? 0 : 2)
  }
  const code = errorCodeOf(err)
  if (err instanceof CommonsError && code.known) {
    process.stderr.write(`error: ${err.message}\n`)
  } else {
    process.stderr.write(`error: internal error: ${(err as Error)?.stack ?? String(err)}\n`)
  }
  process.exit(code.exit)
}
