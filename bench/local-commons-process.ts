// The local commons (`commons --json local`, what `npm start` runs) as a child process of a benchmark.
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')

/**
 * Starts the local commons on `dataDir` and `port`; resolves with the process and the JSON line it prints
 * once it is ready (`T`: its fields the caller reads); rejects if it exits first.
 */
export async function startLocalCommons<T>(
  dataDir: string,
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; ready: T; exited: Promise<unknown> }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'src/cli/main.ts'),
      '--data',
      dataDir,
      '--json',
      'local',
      '--port',
      String(port),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'], env },
  )
  const exited = new Promise((r) => child.once('exit', r))
  let out = ''
  const ready = await new Promise<T>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as T)
    })
    void exited.then((code) => reject(new Error(`the local commons exited with ${code} before it was ready`)))
  })
  return { child, ready, exited }
}
