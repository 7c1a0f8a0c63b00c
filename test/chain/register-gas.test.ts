import assert from 'node:assert/strict'
import { test } from 'node:test'
import { bytesToHex, hexToBytes } from 'viem'
import { registerNode } from '../../src/chain/actions/nodes.ts'
import { REGISTER_GAS_HEADROOM } from '../../src/chain/constants.ts'
import { NodeRegistry } from '../../src/chain/generated/artifacts.ts'
import { startDevnet } from './devnet.ts'

test('a re-registration estimated in one second and mined in a later one does not run out of gas', async () => {
  await using net = await startDevnet(1)
  const account = net.accounts[0]!
  const writer = net.as(account)
  const publicKey = hexToBytes(account.publicKey).slice(1)
  await registerNode(writer, { publicKey, multiaddrs: [], capabilities: ['store'] })
  const rpc = (method: string, params: unknown[]) =>
    net.reader.public.request({ method, params } as never) as Promise<unknown>
  const head = await net.reader.public.getBlock({ cacheTime: 0 } as never)
  const args = [bytesToHex(publicKey), ['/ip4/127.0.0.1/tcp/4001'], ['store']] as const
  const call = {
    account,
    address: net.deployment.nodeRegistry,
    abi: NodeRegistry.abi,
    functionName: 'register',
    args,
  } as const

  // The estimate sees the registration's own second (storing the same update time is nearly free)...
  await rpc('evm_setNextBlockTimestamp', [Number(head.timestamp)])
  const exact = await net.reader.public.estimateContractGas(call)
  // ...the block lands a second later: with the bare estimate the transaction runs out of gas.
  await rpc('evm_setNextBlockTimestamp', [Number(head.timestamp) + 1])
  const hash = await writer.wallet.writeContract({ ...call, gas: exact, chain: undefined })
  const bare = await net.reader.public.waitForTransactionReceipt({ hash })
  assert.equal(
    bare.status,
    'reverted',
    'the race this test is about did not happen: the estimate was not too low',
  )

  // The same race with registerNode's headroom over the estimate: mined. First a registration at a known
  // second U (so the stored update time is U), then the estimate at U and the block at U + 1.
  const u = Number((await net.reader.public.getBlock({ cacheTime: 0 } as never)).timestamp) + 10
  await rpc('evm_setNextBlockTimestamp', [u])
  await registerNode(writer, { publicKey, multiaddrs: [], capabilities: ['store'] })
  await rpc('evm_setNextBlockTimestamp', [u])
  const estimate = await net.reader.public.estimateContractGas(call)
  assert.ok(
    estimate <= exact + 1_000n,
    `the estimate is again the cheap same-second one (${estimate} vs ${exact})`,
  )
  await rpc('evm_setNextBlockTimestamp', [u + 1])
  const padded = await writer.wallet.writeContract({
    ...call,
    gas: estimate + estimate / 4n + REGISTER_GAS_HEADROOM,
    chain: undefined,
  })
  assert.equal((await net.reader.public.waitForTransactionReceipt({ hash: padded })).status, 'success')
})
