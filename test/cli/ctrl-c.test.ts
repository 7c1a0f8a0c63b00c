import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { alive } from '../helpers/process.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('Ctrl-C of `npm run commons -- up` (one node) stops the node cleanly and leaves no anvil behind, even when the signal arrives twice', async () => {
  await using dir = await tmpDir()
  const data = join(dir.path, 'node')
  const root = join(import.meta.dirname, '..', '..')
  // Its own process group, like a terminal's foreground job: Ctrl-C signals every process in it.
  const npm = spawn('npm', ['run', 'commons', '--', '--data', data, 'up', '--port', '0', '--json'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, COMMONS_LOG_LEVEL: 'warn' },
  })
  let stderr = ''
  npm.stderr!.on('data', (d) => (stderr += d))
  const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the node did not start in 90 s: ${stderr}`)), 90_000)
    npm.stdout!.on('data', (d) => {
      if (String(d).includes('"apiUrl"')) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then(() => reject(new Error(`npm run commons -- up exited before it was ready: ${stderr}`)))
  })
  const anvilPid = Number(await readFile(join(data, 'chain', 'anvil.pid'), 'utf8'))
  assert.ok(alive(anvilPid))
  const signalledAt = Date.now()
  // The terminal signals the whole group, and npm forwards the signal to its child once more.
  process.kill(-npm.pid!, 'SIGINT')
  await new Promise((r) => setTimeout(r, 30))
  process.kill(-npm.pid!, 'SIGINT')
  // npm itself re-raises the signal once its script has ended; what matters is what the node did.
  await exited
  for (let i = 0; i < 100 && alive(anvilPid); i++) await new Promise((r) => setTimeout(r, 20))
  assert.equal(alive(anvilPid), false, 'anvil stopped with the node')
  const snapshot = await stat(join(data, 'chain', 'state.hex'))
  assert.ok(snapshot.mtimeMs >= signalledAt - 1_000, 'the chain was saved on the way out')
  assert.doesNotMatch(stderr, /Error|error/, 'no error on the way out')
})
