// Where a benchmark step's time goes: wall time, this process's CPU time, anvil's CPU time and the JSON-RPC
// calls sent to the chain, per named step. The node runs in the benchmark's process, so its calls are
// counted with bare viem's: every JSON-RPC request written to a socket (the node reaches anvil over IPC)
// is attributed to the step running when it was written.
import { readFileSync } from 'node:fs'
import { Socket } from 'node:net'

/** Totals of one step. */
export interface StepSample {
  wallMs: number
  cpuMs: number
  anvilCpuMs: number
  rpc: Record<string, number>
}

let current: Record<string, number> | undefined
let patched = false

/** Starts counting JSON-RPC requests written to sockets (idempotent). */
function countRpc(): void {
  if (patched) return
  patched = true
  const write = Socket.prototype.write
  Socket.prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    if (current !== undefined && typeof chunk === 'string' && chunk.startsWith('{"jsonrpc"')) {
      const method = /"method":"([^"]+)"/.exec(chunk)?.[1] ?? '?'
      current[method] = (current[method] ?? 0) + 1
    }
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest)
  } as typeof write
}

/** CPU time (user + system) of a process in ms, from /proc (10 ms ticks); 0 when unreadable. */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100
  } catch {
    return 0
  }
}

/** Times named steps; `anvilPid` adds the chain's CPU time to each. */
export function stepTimer(anvilPid?: number) {
  countRpc()
  return async function step<T>(into: Map<string, StepSample[]>, name: string, run: () => Promise<T>) {
    const rpc: Record<string, number> = {}
    current = rpc
    const anvil0 = anvilPid === undefined ? 0 : processCpuMs(anvilPid)
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    try {
      return await run()
    } finally {
      const wallMs = performance.now() - t0
      const cpu = process.cpuUsage(cpu0)
      current = undefined
      const anvilCpuMs = anvilPid === undefined ? 0 : processCpuMs(anvilPid) - anvil0
      const list = into.get(name) ?? []
      list.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, anvilCpuMs, rpc })
      into.set(name, list)
    }
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Total wall time of each round (the sum of its steps), in round order. */
export function lifecycleTotals(
  steps: Map<string, StepSample[]>,
  key: keyof StepSample = 'wallMs',
): number[] {
  const totals: number[] = []
  for (const samples of steps.values())
    samples.forEach((s, i) => {
      totals[i] = (totals[i] ?? 0) + (s[key] as number)
    })
  return totals
}

/** `eth_call 2, eth_sendRawTransaction 1, ...` for a step's calls (the last round's), most frequent first. */
export function rpcSummary(samples: StepSample[]): string {
  const last = samples.at(-1)?.rpc ?? {}
  const total = Object.values(last).reduce((a, b) => a + b, 0)
  const parts = Object.entries(last)
    .sort((a, b) => b[1] - a[1])
    .map(([m, n]) => `${m.replace(/^eth_/, '')} ${n}`)
  return `${total} (${parts.join(', ')})`
}
