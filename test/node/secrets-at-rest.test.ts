import assert from 'node:assert/strict'
import { chmod, readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const mode = async (path: string) => (await stat(path)).mode & 0o777

test('an existing data dir is made private on start, and no child process inherits COMMONS_PASSPHRASE', async () => {
  await using dir = await tmpDir()
  const env = { COMMONS_PASSPHRASE: 'correct horse battery staple' }
  const init = await runCli(dir.path, ['init'], env)
  assert.equal(init.code, 0, init.stderr)
  // As a copied or old data dir might be: readable by everyone.
  const accounts = join(dir.path, 'accounts')
  await chmod(dir.path, 0o755)
  await chmod(accounts, 0o755)
  for (const f of await readdir(accounts)) await chmod(join(accounts, f), 0o644)

  const node = await startNodeProcess(dir.path, ['--no-demo'], env)
  try {
    assert.equal(await mode(dir.path), 0o700)
    assert.equal(await mode(accounts), 0o700)
    for (const f of await readdir(accounts)) assert.equal(await mode(join(accounts, f)), 0o600, f)
    assert.equal(await mode(join(dir.path, 'api-token')), 0o600)

    // anvil is the node's child: its environment is what it inherited.
    const anvilPid = (await readFile(join(dir.path, 'chain', 'anvil.pid'), 'utf8')).trim()
    const environ = (await readFile(`/proc/${anvilPid}/environ`, 'utf8')).split('\0')
    assert.ok(
      environ.some((v) => v.startsWith('PATH=')),
      'read the child environment',
    )
    assert.equal(environ.filter((v) => v.startsWith('COMMONS_PASSPHRASE=')).length, 0)
  } finally {
    await node.stop()
  }
})
