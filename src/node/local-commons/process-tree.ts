import { readFile } from 'node:fs/promises'

/**
 * Every process of the tree rooted at `pid` (it included), from /proc (Linux): the launcher, the members
 * and their anvil. Empty elsewhere.
 */
export async function processTree(pid: number): Promise<number[]> {
  const found: number[] = []
  const visit = async (p: number) => {
    found.push(p)
    let tasks: string[] = []
    try {
      tasks = (await readFile(`/proc/${p}/task/${p}/children`, 'utf8')).trim().split(/\s+/)
    } catch {
      return
    }
    for (const child of tasks) if (child !== '') await visit(Number(child))
  }
  await visit(pid)
  return found
}

/** The resident memory of the processes in bytes (VmRSS from /proc), or undefined where /proc is absent. */
export async function residentBytes(pids: number[]): Promise<number | undefined> {
  let total = 0
  for (const pid of pids) {
    try {
      const status = await readFile(`/proc/${pid}/status`, 'utf8')
      total += Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
    } catch {
      if (pid === process.pid) return undefined
    }
  }
  return total
}
