import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { createPublicClient, createWalletClient, parseEther } from 'viem'
import { chainTransport } from '../../src/chain/index.ts'
import { chainFor } from '../../src/node/chain-clients.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('a node started with --rpc keeps its chain: later commands on its data dir use it, not a new private chain', async () => {
  await using dirA = await tmpDir()
  await using dirB = await tmpDir()
  // A: the commons's chain (embedded), with the demo model on it.
  const a = await startNodeProcess(dirA.path)
  try {
    const info = (await (
      await fetch(`${a.apiUrl}/api/chain`, {
        headers: { authorization: `Bearer ${(await readFile(join(dirA.path, 'api-token'), 'utf8')).trim()}` },
      })
    ).json()) as { rpcUrl: string }
    const deployment = join(dirA.path, 'chain', 'deployment.json')
    // B's key gets gas money from alice (a member of A), then B joins with --rpc once, and stops.
    const init = await runCli(dirB.path, ['--json', 'init'])
    assert.equal(init.code, 0, init.stderr)
    const alice = await new Keystore({ dir: join(dirA.path, 'accounts') }).get('alice')
    const wallet = createWalletClient({
      account: alice,
      chain: chainFor(info.rpcUrl, 31337),
      transport: chainTransport(info.rpcUrl),
    })
    const paid = await wallet.sendTransaction({ to: init.json.address, value: parseEther('1') })
    await createPublicClient({ transport: chainTransport(info.rpcUrl) }).waitForTransactionReceipt({
      hash: paid,
      pollingInterval: 50,
    })
    const b = await startNodeProcess(dirB.path, [
      '--no-demo',
      '--rpc',
      info.rpcUrl,
      '--deployment',
      deployment,
    ])
    await b.stop()
    const config = JSON.parse(await readFile(join(dirB.path, 'config.json'), 'utf8'))
    assert.deepEqual(config.chain, { mode: 'rpc', rpcUrl: info.rpcUrl, deploymentFile: deployment })
    // A later command without --rpc reads A's chain (the demo model is there) and starts no chain of its own.
    const list = await runCli(dirB.path, ['--json', 'model', 'list'])
    assert.equal(list.code, 0, list.stderr)
    assert.ok(JSON.stringify(list.json).includes('commons-demo'), JSON.stringify(list.json))
    const chainDir = await readdir(join(dirB.path, 'chain')).catch(() => [] as string[])
    assert.equal(
      chainDir.includes('state.hex') || chainDir.includes('journal.jsonl'),
      false,
      'no private chain',
    )
  } finally {
    await a.stop()
  }
})
