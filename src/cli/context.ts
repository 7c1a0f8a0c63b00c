import { readFile } from 'node:fs/promises'
import type { Command } from 'commander'
import { InvalidInputError } from '../errors.ts'
import { resolveDataDir } from '../node/index.ts'
import type { CommonsClient } from './commons-client.ts'

/** Options every command accepts. */
export interface GlobalOptions {
  data?: string
  json?: boolean
  account?: string
  passphraseFile?: string
  rpc?: string
  deployment?: string
  verbose?: boolean
}

export interface CommandContext {
  opts: GlobalOptions
  dataDir: string
  passphrase: string | undefined
  account: string
}

/**
 * The key passphrase from the environment, taken out of it as soon as the CLI loads, so no child process
 * (anvil, a subprocess trainer) inherits it.
 */
const ENV_PASSPHRASE = takeFromEnvironment('COMMONS_PASSPHRASE')

function takeFromEnvironment(name: string): string | undefined {
  const value = process.env[name]
  delete process.env[name]
  return value
}

/** Resolves the global options of a command. */
export async function commandContext(cmd: Command): Promise<CommandContext> {
  const opts = cmd.optsWithGlobals<GlobalOptions>()
  let passphrase = ENV_PASSPHRASE
  if (opts.passphraseFile) {
    try {
      passphrase = (await readFile(opts.passphraseFile, 'utf8')).replace(/\r?\n$/, '')
    } catch (err) {
      throw new InvalidInputError(`Cannot read the passphrase file ${opts.passphraseFile}.`, { cause: err })
    }
  }
  return { opts, dataDir: resolveDataDir(opts.data), passphrase, account: opts.account ?? 'node' }
}

/** Runs an action with a client (node API or direct chain), closing it afterwards, and prints the result. */
export async function withClient<T>(
  cmd: Command,
  action: (client: CommonsClient, ctx: CommandContext) => Promise<T>,
  human: (result: T) => string,
): Promise<void> {
  const ctx = await commandContext(cmd)
  // Loaded on demand: the chain stack is the slow part of CLI start-up and not every command needs it.
  const [{ connect }, { createLogger }] = await Promise.all([import('./connect.ts'), import('../log.ts')])
  const client = await connect({
    dataDir: ctx.dataDir,
    passphrase: ctx.passphrase,
    rpc: ctx.opts.rpc,
    deployment: ctx.opts.deployment,
    log: createLogger(process.env.COMMONS_LOG_LEVEL ?? 'warn'),
  })
  try {
    print(ctx.opts, await action(client, ctx), human)
  } finally {
    await client.close()
  }
}

/** Prints JSON with --json, else the human rendering. */
export function print<T>(opts: GlobalOptions, result: T, human: (result: T) => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${human(result)}\n`)
}
