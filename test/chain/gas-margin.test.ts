import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createWalletClient, parseEther, parseEventLogs } from 'viem'
import { chainTransport } from '../../src/chain/chain-transport.ts'
import { ModelRegistry, ModelShares } from '../../src/chain/generated/artifacts.ts'
import { startDevnet } from './devnet.ts'

// Share balances are vote checkpoints keyed by block time. A transfer estimated in the second of the sender's
// last checkpoint updates it in place; mined in a later second it pushes a new one and needs ~22,600 more
// gas. The burst benchmark's setup hit this (one run in six): the transfer ran out of gas on chain.
test('a share transfer estimated in the second of its last checkpoint and mined later does not run out of gas', async () => {
  await using d = await startDevnet(3)
  const [a, b, c] = d.accounts
  const pub = d.reader.public
  const rpc = (method: string, params: unknown[]) =>
    pub.request({ method: method as never, params: params as never })
  const writer = d.as(a!)
  const { request } = await pub.simulateContract({
    account: a!,
    address: d.deployment.modelRegistry,
    abi: ModelRegistry.abi,
    functionName: 'createModel',
    args: [
      {
        name: 'checkpoints',
        symbol: 'C',
        cardURI: '',
        owners: [a!.address, b!.address],
        amounts: [parseEther('10'), parseEther('10')],
        settings: {
          votingDelay: 300,
          votingPeriod: 3600,
          proposalThreshold: 0n,
          quorumPercent: 40n,
          timelockDelay: 600n,
        },
      },
    ],
  })
  const created = await pub.waitForTransactionReceipt({ hash: await writer.wallet.writeContract(request) })
  const [ev] = parseEventLogs({ abi: ModelRegistry.abi, logs: created.logs, eventName: 'ModelCreated' })
  const mintedAt = Number((await pub.getBlock({ blockNumber: created.blockNumber })).timestamp)
  const transfer = {
    address: ev!.args.shares,
    abi: ModelShares.abi,
    functionName: 'transfer',
    args: [c!.address, parseEther('1')],
  } as const
  // Estimated in the second of the sender's last checkpoint, mined 5 s later: what a burst on a devnet that
  // ticks a second per block does by chance.
  const estimatedEarlyMinedLate = async (wallet: typeof writer.wallet, checkpointAt: number) => {
    await rpc('evm_setAutomine', [false])
    try {
      await rpc('evm_setNextBlockTimestamp', [checkpointAt])
      const hash = await wallet.writeContract(transfer)
      await rpc('evm_setNextBlockTimestamp', [checkpointAt + 5])
      await rpc('evm_mine', [])
      return await pub.getTransactionReceipt({ hash })
    } finally {
      await rpc('evm_setAutomine', [true])
    }
  }
  // Our writers add a margin to the estimate: the transfer goes through (and checkpoints a at mintedAt + 5).
  assert.equal((await estimatedEarlyMinedLate(writer.wallet, mintedAt)).status, 'success')
  // Control: viem's bare estimate runs out of gas in the same situation (so this test can fail).
  const bare = createWalletClient({
    chain: pub.chain,
    transport: chainTransport(d.chain.rpcUrl),
    account: a!,
  })
  assert.equal((await estimatedEarlyMinedLate(bare, mintedAt + 5)).status, 'reverted')
})
