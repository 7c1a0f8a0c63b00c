import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createPublicClient, createWalletClient, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { chainTransport } from '../../src/chain/chain-transport.ts'
import { confirmTransaction } from '../../src/chain/confirm-transaction.ts'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { silentLogger } from '../../src/log.ts'
import { chainFor } from '../../src/node/chain-clients.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

// Init code of a contract whose every call reverts (runtime: PUSH1 0 PUSH1 0 REVERT).
const ALWAYS_REVERTS = '0x6460006000fd6000526005601bf3'

test('after kill -9, a transaction that reverted on chain replays too, so the confirmed ones after it survive', async () => {
  await using dir = await tmpDir()
  let chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  const alice = privateKeyToAccount(generatePrivateKey())
  const bob = privateKeyToAccount(generatePrivateKey()).address
  await chain.fund(alice.address, parseEther('10'))
  await chain.snapshot()
  const clients = (url: string) => {
    const c = chainFor(url, chain.chainId)
    const pub = createPublicClient({ chain: c, transport: chainTransport(url), pollingInterval: 50 })
    const wallet = createWalletClient({
      chain: c,
      transport: chainTransport(url),
      account: alice,
      pollingInterval: 50,
    })
    const live = chain
    return {
      public: pub,
      wallet,
      deployment: {} as never,
      onConfirmed: (r: { transactionHash: `0x${string}`; blockNumber: bigint }) => live.recordTransaction(r),
    }
  }
  let c = clients(chain.rpcUrl)
  const deployed = await confirmTransaction(c, 'Deploying a contract that always reverts', () =>
    c.wallet.sendTransaction({ data: ALWAYS_REVERTS }),
  )
  const target = deployed.contractAddress as `0x${string}`
  // Mined but reverted (an explicit gas limit skips estimation, as when state changes between simulation and mining).
  await assert.rejects(
    confirmTransaction(c, 'Calling it', () =>
      c.wallet.sendTransaction({ to: target, data: '0x01', gas: 100_000n }),
    ),
    { name: 'ContractRevertedError' },
  )
  const paid = await confirmTransaction(c, 'Paying bob', () =>
    c.wallet.sendTransaction({ to: bob, value: parseEther('1') }),
  )
  await chain.kill()

  chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  try {
    c = clients(chain.rpcUrl)
    assert.equal(
      await c.public.getBalance({ address: bob }),
      parseEther('1'),
      'the confirmed payment survived',
    )
    assert.equal(await c.public.getTransactionCount({ address: alice.address }), 3)
    const receipt = await c.public.getTransactionReceipt({ hash: paid.transactionHash })
    assert.equal(receipt.status, 'success')
  } finally {
    await chain.stop()
  }
})
