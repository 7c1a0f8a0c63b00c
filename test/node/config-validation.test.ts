import assert from 'node:assert/strict'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
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

test('an unknown chain mode, a bad --rpc URL or an invalid deployment file is refused before anything starts, and not kept', async () => {
  await using dir = await tmpDir()
  await mkdir(dir.path, { recursive: true })
  const config = join(dir.path, 'config.json')
  await writeFile(config, JSON.stringify({ chain: { mode: 'sidechain' } }))
  const mode = await runCli(dir.path, ['up', '--port', '0'])
  assert.equal(mode.code, 2, mode.stderr)
  assert.match(mode.stderr, /chain\.mode/)

  await writeFile(config, '{}')
  const badUrl = await runCli(dir.path, ['--rpc', 'localhost:8545', 'up', '--port', '0'])
  assert.equal(badUrl.code, 2, badUrl.stderr)
  assert.match(badUrl.stderr, /chain\.rpcUrl.*http\(s\):\/\//s)

  const deployment = join(dir.path, 'broken-deployment.json')
  await writeFile(deployment, '{"chainId": 1, "modelRegistry": "nope"}')
  const badFile = await runCli(dir.path, ['--rpc', 'http://127.0.0.1:8545', '--deployment', deployment, 'up'])
  assert.equal(badFile.code, 2, badFile.stderr)
  assert.match(badFile.stderr, /chain\.deploymentFile.*invalid.*commons deploy/s)
  // Nothing was started, and the refused values were not saved for later commands.
  assert.equal((await readdir(dir.path)).includes('chain'), false)
  assert.deepEqual(JSON.parse(await readFile(config, 'utf8')), {})
})
