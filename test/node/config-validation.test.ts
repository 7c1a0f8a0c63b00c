import assert from 'node:assert/strict'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('a malformed bootstrap or listen address is refused before anything starts, with the field named', async () => {
  for (const [net, pattern] of [
    [{ bootstrap: ['/ip4/999/tcp/4001'] }, /net\.bootstrap.*not a multiaddr/s],
    [{ bootstrap: ['/ip4/10.0.0.5/tcp/4001'] }, /net\.bootstrap.*\/p2p\/<PeerId>/s],
    [{ listen: ['tcp://0.0.0.0:4001'] }, /net\.listen.*not a multiaddr/s],
  ] as const) {
    await using dir = await tmpDir()
    await mkdir(dir.path, { recursive: true })
    await writeFile(join(dir.path, 'config.json'), JSON.stringify({ net }))
    const r = await runCli(dir.path, ['up', '--port', '0'])
    assert.equal(r.code, 2, `exit code 2 (invalid config): ${r.stderr}`)
    assert.match(r.stderr, pattern)
    // Nothing was started: no chain dir, so no anvil to leave behind.
    assert.equal((await readdir(dir.path)).includes('chain'), false)
  }
})
