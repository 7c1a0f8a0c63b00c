// The local commons `npm start` runs: time to ready and total resident memory of all its processes, on a
// fresh data dir and on a restart. Goals: <= 20 s and <= 1.5 GB on a 2-core machine.
// Usage: npm run bench -- local-commons
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startLocalCommons } from './local-commons-process.ts'

const dataDir = await mkdtemp(join(tmpdir(), 'commons-bench-'))
const basePort = 23_000 + Math.floor(Math.random() * 100) * 20

async function run(label: string): Promise<void> {
  const t0 = performance.now()
  const {
    child,
    ready: info,
    exited,
  } = await startLocalCommons<{
    readyMs: number
    memoryBytes: number
    pids: number[]
  }>(dataDir, basePort)
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
