import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs
  while (Date.now() < until) {
    if (!alive(pid)) return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return !alive(pid)
}

test('a stopped node leaves no process behind: not after SIGINT, not even after kill -9', async () => {
  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    await using dir = await tmpDir()
    const node = await startNodeProcess(dir.path, ['--no-demo'])
    const anvil = Number((await readFile(join(dir.path, 'chain', 'anvil.pid'), 'utf8')).trim())
    assert.ok(alive(anvil), 'anvil runs while the node runs')
    const exited = new Promise((r) => node.child.once('exit', r))
    node.child.kill(signal)
    await exited
    assert.ok(await gone(anvil, 5_000), `anvil ${anvil} still runs 5 s after the node got ${signal}`)
  }
})
