import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'commons.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  /** stdout parsed as JSON when the command ran with --json and succeeded. */
  json: any
}

/** Runs the real `commons` CLI in a child process. */
export function runCli(dataDir: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--data', dataDir, ...args], {
      env: { ...process.env, COMMONS_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => {
      let json: unknown
      if (args.includes('--json') && code === 0) {
        try {
          json = JSON.parse(stdout)
        } catch {}
      }
      resolve({ code: code ?? -1, stdout, stderr, json })
    })
  })
}

export interface NodeProcess {
  child: ChildProcess
  apiUrl: string
  address: string
  readyMs: number
  /** Stops with SIGTERM and waits for the exit. */
  stop(): Promise<void>
}

/** Starts `commons up --port 0 --json` and waits for its ready line. */
export async function startNodeProcess(
  dataDir: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [BIN, '--data', dataDir, '--json', 'up', '--port', '0', ...extra], {
    env: { ...process.env, COMMONS_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', (d) => (stderr += d))
  const lines = createInterface({ input: child.stdout! })
  const ready = await new Promise<{ apiUrl: string; address: string; readyMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node did not start in 60 s: ${stderr}`)), 60_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolve(JSON.parse(line))
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`node exited with ${code}: ${stderr}`))
    })
  })
  return {
    child,
    ...ready,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}
