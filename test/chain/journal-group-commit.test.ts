import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { confirmTransaction } from '../../src/chain/confirm-transaction.ts'
import { CHAIN_JOURNAL_FILE } from '../../src/chain/constants.ts'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { silentLogger } from '../../src/log.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

// Many members confirming at once: queued confirmations are journaled together (one write and one fsync for
// the blocks the calls queued behind the running one asked for), the node's own signed bytes are journaled as
// they are. Each confirmation must still resolve only once the journal holds its block, and all of them must
// survive a kill -9 of node and chain.
test('concurrent confirmations share journal writes, each resolves only once its block is journaled, all survive kill -9', async () => {
  await using dir = await tmpDir()
  let chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  const senders = Array.from({ length: 12 }, () => privateKeyToAccount(generatePrivateKey()))
  const to = privateKeyToAccount(generatePrivateKey()).address
  for (const s of senders) await chain.fund(s.address, parseEther('10'))
  const live = chain
  const access = createChainAccess({
    rpcUrl: chain.rpcUrl,
    deployment: { chainId: chain.chainId } as never,
    onConfirmed: (receipt, signed) => live.recordTransaction(receipt, signed),
  })
  const journaledBlocks = async () =>
    new Set(
      (await readFile(join(dir.path, CHAIN_JOURNAL_FILE), 'utf8'))
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => (JSON.parse(l) as { block: number }).block),
    )
  const missing: bigint[] = []
  await Promise.all(
    senders.map(async (s, i) => {
      const c = access.writer(s)
      const receipt = await confirmTransaction(c, 'Paying', () =>
        c.wallet.sendTransaction({ to, value: BigInt(i + 1) }),
      )
      // Read as soon as this confirmation resolves: its block must be on disk already.
      if (!(await journaledBlocks()).has(Number(receipt.blockNumber))) missing.push(receipt.blockNumber)
    }),
  )
  assert.deepEqual(missing, [], 'no confirmation resolved before the journal held its block')
  const expected = (senders.length * (senders.length + 1)) / 2
  await chain.kill()

  chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  try {
    const after = createChainAccess({ rpcUrl: chain.rpcUrl, deployment: { chainId: chain.chainId } as never })
    assert.equal(await after.reader.public.getBalance({ address: to }), BigInt(expected))
    for (const s of senders)
      assert.equal(await after.reader.public.getTransactionCount({ address: s.address }), 1)
  } finally {
    await chain.stop()
  }
})
