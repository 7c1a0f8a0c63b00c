import assert from 'node:assert/strict'
import { appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { createPublicClient, createWalletClient, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { chainTransport } from '../../src/chain/chain-transport.ts'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { silentLogger } from '../../src/log.ts'
import { chainFor } from '../../src/node/chain-clients.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('after kill -9, journaled transactions, warps and balances replay over the snapshot exactly', async () => {
  await using dir = await tmpDir()
  let chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  const alice = privateKeyToAccount(generatePrivateKey())
  const bob = privateKeyToAccount(generatePrivateKey())
  await chain.fund(alice.address, parseEther('10'))
  // A snapshot whose clock runs ahead of the wall clock (as after a demo's warps).
  await chain.warp(7_200)
  await chain.snapshot()
  const clients = (url: string) => {
    const c = chainFor(url, chain.chainId)
    return {
      pub: createPublicClient({ chain: c, transport: chainTransport(url), pollingInterval: 50 }),
      wallet: createWalletClient({
        chain: c,
        transport: chainTransport(url),
        account: alice,
        pollingInterval: 50,
      }),
    }
  }
  let { pub, wallet } = clients(chain.rpcUrl)
  for (const value of [1n, 2n, 3n]) {
    const hash = await wallet.sendTransaction({ to: bob.address, value: parseEther(value.toString()) })
    await chain.recordTransaction(await pub.waitForTransactionReceipt({ hash }))
    if (value === 2n) await chain.warp(3_600)
  }
  await chain.fund(bob.address, parseEther('100'))
  const before = {
    head: await pub.getBlock(),
    alice: await pub.getBalance({ address: alice.address }),
    bob: await pub.getBalance({ address: bob.address }),
  }
  // A crash mid-append leaves a torn last line: it must be ignored, not break the start.
  await chain.kill()
  await appendFile(join(dir.path, 'journal.jsonl'), '{"op":"tx","seq":99,"blo')

  chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  try {
    ;({ pub } = clients(chain.rpcUrl))
    const block = await pub.getBlock({ blockNumber: before.head.number })
    // Same transactions in the same blocks at the same times (block hashes differ: anvil's loaded
    // snapshot does not keep the original parent-hash chain).
    assert.deepEqual(block.transactions, before.head.transactions)
    assert.equal(block.timestamp, before.head.timestamp)
    assert.equal(await pub.getBalance({ address: alice.address }), before.alice)
    assert.equal(await pub.getBalance({ address: bob.address }), before.bob)
    const now = await pub.getBlock()
    assert.ok(now.timestamp >= before.head.timestamp, 'time does not go backwards after the reload')
    // ...nor jumps ahead: the clock continues from max(head + 1, wall clock), not twice the warp.
    const wall = BigInt(Math.floor(Date.now() / 1000))
    const expected = before.head.timestamp + 1n > wall ? before.head.timestamp + 1n : wall
    assert.ok(now.timestamp <= expected + 5n, `chain time ${now.timestamp} ran ahead of ${expected}`)
  } finally {
    await chain.stop()
  }
})

test("a block of several members' transactions replays as one block, at its time, in its order", async () => {
  await using dir = await tmpDir()
  let chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  const senders = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()))
  const bob = privateKeyToAccount(generatePrivateKey())
  for (const s of senders) await chain.fund(s.address, parseEther('1'))
  const rpc = (url: string) => createPublicClient({ transport: chainTransport(url), pollingInterval: 50 })
  let pub = rpc(chain.rpcUrl)
  // Three members' transactions land in one block (as concurrent votes do), with different tips.
  await pub.request({ method: 'evm_setAutomine' as any, params: [false] as any })
  const hashes: `0x${string}`[] = []
  for (const [i, s] of senders.entries()) {
    const wallet = createWalletClient({
      chain: chainFor(chain.rpcUrl, chain.chainId),
      transport: chainTransport(chain.rpcUrl),
      account: s,
    })
    hashes.push(
      await wallet.sendTransaction({
        to: bob.address,
        value: 1n,
        maxPriorityFeePerGas: BigInt(i + 1) * 1_000_000_000n,
        maxFeePerGas: 10_000_000_000n,
      }),
    )
  }
  await pub.request({ method: 'evm_mine' as any, params: [] as any })
  await pub.request({ method: 'evm_setAutomine' as any, params: [true] as any })
  const receipt = await pub.waitForTransactionReceipt({ hash: hashes[0]! })
  await chain.recordTransaction(receipt)
  const original = await pub.getBlock({ blockNumber: receipt.blockNumber })
  assert.equal(original.transactions.length, 3)
  await chain.kill()

  chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  try {
    pub = rpc(chain.rpcUrl)
    const replayed = await pub.getBlock({ blockNumber: receipt.blockNumber })
    assert.deepEqual(
      replayed.transactions,
      original.transactions,
      'same transactions, same block, same order',
    )
    assert.equal(replayed.timestamp, original.timestamp)
    for (const hash of hashes) assert.equal((await pub.getTransactionReceipt({ hash })).status, 'success')
  } finally {
    await chain.stop()
  }
})
