/** Whether a process with this pid is alive (signal 0 probes without signalling). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits up to `ms` for the process to be gone; returns whether it is. */
export async function gone(pid: number, ms = 2_000): Promise<boolean> {
  for (let waited = 0; waited < ms && alive(pid); waited += 20) await new Promise((r) => setTimeout(r, 20))
  return !alive(pid)
}
