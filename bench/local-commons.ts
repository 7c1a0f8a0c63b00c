// The local commons `npm start` runs: time to ready and total resident memory of all its processes, on a
// fresh data dir and on a restart. Goals: <= 20 s and <= 1.5 GB on a 2-core machine.
// Usage: npm run bench -- local-commons
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '..')
const dataDir = await mkdtemp(join(tmpdir(), 'commons-bench-'))
const basePort = 23_000 + Math.floor(Math.random() * 100) * 20

async function run(label: string): Promise<void> {
  const t0 = performance.now()
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
      String(basePort),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const exited = new Promise((r) => child.once('exit', r))
  let out = ''
  const info = await new Promise<{ readyMs: number; memoryBytes: number; pids: number[] }>(
    (resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!))
      })
      void exited.then(() => reject(new Error('the local commons exited before it was ready')))
    },
  )
  const wallMs = performance.now() - t0
  console.log(
    `${label.padEnd(8)} ready in ${(wallMs / 1000).toFixed(1)} s (launcher: ${(info.readyMs / 1000).toFixed(1)} s), ` +
      `${Math.round(info.memoryBytes / 2 ** 20)} MB resident in ${info.pids.length} processes`,
  )
  child.kill('SIGINT')
  await exited
}

try {
  await run('first')
  await run('restart')
} finally {
  await rm(dataDir, { recursive: true, force: true })
}
