import { readFile, rm } from 'node:fs/promises'
import { z } from 'zod'
import { writeFileAtomic } from '../atomic-file.ts'

/** What a running node writes to `<data>/node.json` so the CLI can find it. */
export const runtimeInfoSchema = z.object({
  pid: z.number().int(),
  apiUrl: z.string().url(),
  rpcUrl: z.string(),
  address: z.string(),
  startedAt: z.string(),
})
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>

export async function readRuntimeInfo(path: string): Promise<RuntimeInfo | undefined> {
  try {
    const parsed = runtimeInfoSchema.safeParse(JSON.parse(await readFile(path, 'utf8')))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

export function writeRuntimeInfo(path: string, info: RuntimeInfo): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(info, null, 2), { mode: 0o600 })
}

export function removeRuntimeInfo(path: string): Promise<void> {
  return rm(path, { force: true })
}

/** Whether the node described by the runtime file is alive and answering. */
export async function isNodeAlive(info: RuntimeInfo): Promise<boolean> {
  try {
    process.kill(info.pid, 0)
  } catch {
    return false
  }
  try {
    const res = await fetch(new URL('/healthz', info.apiUrl), { signal: AbortSignal.timeout(2_000) })
    // 503 is a running node whose chain is down: still running, and still the one to talk to.
    return res.ok || res.status === 503
  } catch {
    return false
  }
}
