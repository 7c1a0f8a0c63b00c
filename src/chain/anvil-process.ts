import { type ChildProcess, spawn } from 'node:child_process'
import { readFile, rm, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { writeFileAtomic } from '../atomic-file.ts'
import type { Logger } from '../log.ts'
import { ANVIL_START_TIMEOUT_MS } from './constants.ts'
import { ChainUnavailableError } from './errors.ts'
import { type Isolation, processIsolation } from './isolation.ts'

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

/** A running anvil child process, driven through its IPC socket. */
export interface AnvilProcess {
  /** The IPC socket path the node and its CLI use (a file in the private data dir). */
  readonly rpcUrl: string
  /** The HTTP address anvil printed: inside its own network namespace when `isolation.network`. */
  readonly httpAddress: string
  readonly isolation: Pick<Isolation, 'network' | 'parentDeath'>
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

/**
 * Starts anvil with an IPC socket at `ipcPath` and records its pid. Where the machine allows it, anvil
 * runs in a network namespace of its own, so its HTTP port (which anvil always opens) is reachable by no
 * other process: only a process that can open the socket file, inside the node's private data dir, can
 * drive the chain, and anvil's cheat methods (impersonation, balances) are out of reach of everyone else.
 * It also gets SIGTERM from the kernel when the node dies, however it dies.
 */
export async function startAnvil(opts: {
  pidFile: string
  ipcPath: string
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
    // First come, first mined: a journal replay sends a block's transactions in their recorded order and
    // they must be mined in that order (the default sorts by fee).
    '--order',
    'fifo',
    '--ipc',
    opts.ipcPath,
  ]
  if (opts.genesisTimestamp !== undefined) args.push('--timestamp', String(opts.genesisTimestamp))
  // Own process group: Ctrl-C in a terminal reaches the node, which snapshots the chain and then stops
  // anvil itself; a node killed hard leaves anvil behind, and the next start kills it (pid file).
  const isolation = processIsolation()
  if (!isolation.network) {
    opts.log.warn(
      'this machine allows no network namespace (util-linux unshare, user namespaces): the embedded chain also listens on a loopback port any local process can use',
    )
  }
  await rm(opts.ipcPath, { force: true })
  const line = isolation.wrap(anvilBinaryPath(), args)
  const child = spawn(line.command, line.args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  const httpAddress = await waitForListening(child)
  await waitForSocket(opts.ipcPath, child)
  await writeFileAtomic(opts.pidFile, String(child.pid))
  opts.log.debug({ pid: child.pid, ipc: opts.ipcPath, isolated: isolation.network }, 'anvil started')
  let stopped: Promise<void> | undefined
  return {
    rpcUrl: opts.ipcPath,
    httpAddress,
    isolation: { network: isolation.network, parentDeath: isolation.parentDeath },
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
        await rm(opts.ipcPath, { force: true })
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

/** anvil prints its HTTP address before its IPC server is bound: wait for the socket file. */
async function waitForSocket(path: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + ANVIL_START_TIMEOUT_MS
  for (;;) {
    try {
      if ((await stat(path)).isSocket()) return
    } catch {}
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new ChainUnavailableError(`anvil did not open its IPC socket at ${path}.`)
    }
    await sleep(10)
  }
}
