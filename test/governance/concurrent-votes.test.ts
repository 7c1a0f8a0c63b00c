import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createPublicClient, custom, parseEther } from 'viem'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { setAllowedCall } from '../../src/chain/proposal-calls.ts'
import { createGovernance } from '../../src/governance/index.ts'
import { GOVERNANCE_SETTINGS, startDevnet } from '../chain/devnet.ts'

// Many members voting at once on a proposal this node has never looked up (sent by someone else): every
// vote must land, and the lookups must share one read of the model and one scan of the proposals instead of
// queueing one scan each (a burst of 100 votes queued 100 scans, each over a growing range of blocks).
test('a burst of votes on a proposal new to the node: all land, the lookups share one read of the model and one scan', async () => {
  await using net = await startDevnet(12)
  const settings = GOVERNANCE_SETTINGS
  const created = await createModel(net.deployer, {
    name: 'burst',
    symbol: 'B',
    cardURI: '',
    owners: net.accounts.map((a) => ({ address: a.address, shares: parseEther('10') })),
    settings,
  })
  const contracts = {
    registry: net.deployment.modelRegistry,
    shares: created.shares,
    timelock: created.timelock,
  }
  await propose(net.as(net.accounts[0]!), {
    governor: created.governor,
    calls: [setAllowedCall(contracts, created.modelId, net.accounts[0]!.address, true)],
    description: 'Allow account 0',
  })
  await net.chain.warp(settings.votingDelay + 1)
  const calls: Record<string, number> = {}
  let registryCalls = 0
  const counted = createPublicClient({
    chain: net.reader.public.chain,
    pollingInterval: 50,
    transport: custom({
      request: (args: { method: string; params?: unknown }) => {
        calls[args.method] = (calls[args.method] ?? 0) + 1
        const to = (args.params as [{ to?: string }] | undefined)?.[0]?.to
        if (args.method === 'eth_call' && to?.toLowerCase() === net.deployment.modelRegistry.toLowerCase())
          registryCalls++
        return net.reader.public.request(args as never)
      },
    }),
  })
  const governance = createGovernance(
    {},
    {
      reader: { ...net.reader, public: counted as typeof net.reader.public },
      writerFor: async (name) => net.as(net.accounts[Number(name)]!),
    },
  )
  const ref = `${created.modelId}.1`
  const votes = await Promise.all(
    net.accounts.map((_, i) => governance.vote({ proposal: ref, account: String(i), support: 'for' })),
  )
  assert.equal(new Set(votes.map((v) => v.transactionHash)).size, net.accounts.length)
  // Each answer's tally includes every vote mined up to its own (shared status reads never answer older).
  const blocks = await Promise.all(
    votes.map(
      async (v) => (await net.reader.public.getTransactionReceipt({ hash: v.transactionHash })).blockNumber,
    ),
  )
  for (const [i, v] of votes.entries()) {
    const minedByThen = blocks.filter((b) => b <= blocks[i]!).length
    assert.ok(
      Number(v.votes.for) >= 10 * minedByThen,
      `vote ${i} answered ${v.votes.for} for, ${minedByThen} votes mined`,
    )
  }
  assert.equal((await governance.proposal(ref)).votes.for, String(10 * net.accounts.length))
  // The model is looked up in the registry once for the burst (its id, then its contracts), not once a vote.
  assert.ok(registryCalls <= 3, `the registry was read ${registryCalls} times for ${votes.length} votes`)
  // A scan reads the head, then the logs up to it.
  assert.ok((calls.eth_blockNumber ?? 0) <= 2, `the proposals were scanned ${calls.eth_blockNumber} times`)
})
