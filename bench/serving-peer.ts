// The inference bench's serving peer: a node in its own process, as on another machine, and the CPU
// time it and this process use.
import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

/** A serving peer in its own process (test/routing/fixtures/serving-node.ts), as on another machine. */
export function spawnPeer(
  modelPath: string,
  contentRoot: string,
  contextSize: number,
  coalesceMs?: number,
): Promise<{ child: ChildProcess; peerId: string; addrs: string[] }> {
  const script = join(import.meta.dirname, '..', 'test', 'routing', 'fixtures', 'serving-node.ts')
  const child = spawn(
    process.execPath,
    [
      // BENCH_CPU_PROF=<dir>: the peer writes a CPU profile there (run the bench itself with --cpu-prof too).
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      '--import',
      'tsx',
      script,
      // The same engine settings as the direct and local paths.
      JSON.stringify({ modelPath, contentRoot, coalesceMs, contextSize, sequences: 1 }),
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve({ child, ...JSON.parse(l) }))
    child.once('exit', (code) => reject(new Error(`serving node exited with ${code}`)))
  })
}

/** Ends a serving peer cleanly (closing its stdin lets it stop and write a --cpu-prof profile); SIGKILL after 3 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.stdin?.end()
  })
}

/** CPU time used so far (µs) by this process and by the serving peer's process (Linux /proc; 0 elsewhere). */
export function cpuMicros(peerPid: number): { self: number; peer: number } {
  const u = process.cpuUsage()
  let peer = 0
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks; the command name (field 2) may contain spaces.
    const stat = readFileSync(`/proc/${peerPid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    peer = ((Number(f[11]) + Number(f[12])) * 1e6) / 100
  } catch {
    // not Linux, or the peer is gone
  }
  return { self: u.user + u.system, peer }
}
