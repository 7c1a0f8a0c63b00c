import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { writeFileAtomic } from '../atomic-file.ts'
import type { Logger } from '../log.ts'
import { ANVIL_START_TIMEOUT_MS } from './constants.ts'
import { ChainUnavailableError } from './errors.ts'

/** Path of the anvil binary shipped by the `@foundry-rs/anvil-<platform>` package. */
export function anvilBinaryPath(): string {
  const require = createRequire(import.meta.url)
  const arch = process.arch === 'x64' ? 'amd64' : process.arch
  const pkg = `@foundry-rs/anvil-${process.platform}-${arch}`
  try {
    return join(dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'anvil')
  } catch (err) {
    throw new ChainUnavailableError(
      `No anvil binary for ${process.platform}-${arch}: ${pkg} is not installed. Run \`npm ci\`, or use --rpc <url>.`,
      { cause: err },
    )
  }
}

/** A running anvil child process on a loopback port. */
export interface AnvilProcess {
  readonly rpcUrl: string
  readonly pid: number
  stop(): Promise<void>
}

/**
 * Kills an anvil left behind by a previous run (its pid is in `pidFile` and the process is anvil), so
 * that a crashed node does not leave orphans.
 */
export async function killStaleAnvil(pidFile: string, log: Logger): Promise<void> {
  let pid: number
  try {
    pid = Number.parseInt(await readFile(pidFile, 'utf8'), 10)
  } catch {
    return
  }
  if (Number.isInteger(pid) && pid > 0 && (await isAnvil(pid))) {
    log.warn({ pid }, 'killing anvil left running by a previous run')
    try {
      process.kill(pid, 'SIGKILL')
    } catch {}
    for (let i = 0; i < 50 && (await isAnvil(pid)); i++) await sleep(20)
  }
  await rm(pidFile, { force: true })
}

async function isAnvil(pid: number): Promise<boolean> {
  try {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8')
    return cmd.includes('anvil')
  } catch {
    try {
      process.kill(pid, 0)
      return process.platform !== 'linux'
    } catch {
      return false
    }
  }
}

/** Starts anvil on 127.0.0.1 with an OS-chosen port and records its pid. */
export async function startAnvil(opts: {
  pidFile: string
  log: Logger
  chainId: number
  /** Genesis time; anvil refuses block times before it, so a reload must start no later than its history. */
  genesisTimestamp?: number
}): Promise<AnvilProcess> {
  // --no-cors: anvil answers no CORS preflight, so no web page can send it a JSON-RPC call (and it refuses
  // the non-JSON bodies a page may send without a preflight). Only local processes reach it.
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    '0',
    '--chain-id',
    String(opts.chainId),
    '--accounts',
    '0',
    '--no-cors',
  ]
  if (opts.genesisTimestamp !== undefined) args.push('--timestamp', String(opts.genesisTimestamp))
  // Own process group: Ctrl-C in a terminal reaches the node, which snapshots the chain and then stops
  // anvil itself; a node killed hard leaves anvil behind, and the next start kills it (pid file).
  const child = spawn(anvilBinaryPath(), args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const rpcUrl = await waitForListening(child)
  await writeFileAtomic(opts.pidFile, String(child.pid))
  opts.log.debug({ pid: child.pid, rpcUrl }, 'anvil started')
  let stopped: Promise<void> | undefined
  return {
    rpcUrl,
    pid: child.pid!,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
          child.kill('SIGTERM')
          const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
          await exited
          clearTimeout(timer)
        }
        await rm(opts.pidFile, { force: true })
      })()
      return stopped
    },
  }
}

function waitForListening(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(
        new ChainUnavailableError(
          `anvil did not start within ${ANVIL_START_TIMEOUT_MS} ms. Output: ${out.slice(-500)}`,
        ),
      )
    }, ANVIL_START_TIMEOUT_MS)
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const m = /Listening on (\S+:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        // Keep draining so anvil never blocks on a full pipe.
        child.stdout?.resume()
        resolve(`http://${m[1]}`)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString()
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(new ChainUnavailableError(`anvil could not be started: ${err.message}`, { cause: err }))
    })
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      reject(
        new ChainUnavailableError(
          `anvil exited during start (code ${code}, signal ${signal}): ${out.slice(-500)}`,
        ),
      )
    })
  })
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
