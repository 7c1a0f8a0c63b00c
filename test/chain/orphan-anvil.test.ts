import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createPublicClient } from 'viem'
import { chainTransport } from '../../src/chain/chain-transport.ts'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { silentLogger } from '../../src/log.ts'
import { alive } from '../helpers/process.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('an anvil left behind by a crashed node is killed on the next start (pid file check)', async () => {
  await using dir = await tmpDir()
  const first = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  const orphanPid = (first as unknown as { anvil: { pid: number } }).anvil.pid
  assert.ok(alive(orphanPid))
  // Simulate the node dying without stopping its chain: start again on the same data dir.
  const second = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  try {
    for (let i = 0; i < 50 && alive(orphanPid); i++) await new Promise((r) => setTimeout(r, 20))
    assert.equal(alive(orphanPid), false, 'the orphaned anvil is gone')
    const client = createPublicClient({ transport: chainTransport(second.rpcUrl) })
    assert.equal(await client.getChainId(), 31337)
  } finally {
    await second.stop()
  }
})

test('a corrupt state file is refused with a clear error instead of silently starting a new chain', async () => {
  await using dir = await tmpDir()
  const { writeFile } = await import('node:fs/promises')
  await writeFile(`${dir.path}/state.hex`, 'not hex at all')
  await assert.rejects(EmbeddedChain.start({ dir: dir.path, log: silentLogger }), (e: Error) => {
    assert.equal(e.name, 'ChainUnavailableError')
    assert.match(e.message, /corrupt/)
    return true
  })
})
