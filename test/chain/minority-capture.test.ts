import assert from 'node:assert/strict'
import { test } from 'node:test'
import { encodeFunctionData, parseEther } from 'viem'
import { castVote, type VoteChoice } from '../../src/chain/actions/cast-vote.ts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { listProposals } from '../../src/chain/actions/list-proposals.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { executeProposal, queueProposal } from '../../src/chain/actions/queue-proposal.ts'
import { ModelGovernor, ModelShares, ModelTimelock } from '../../src/chain/generated/artifacts.ts'
import {
  mintSharesCall,
  type ProposalCall,
  publishVersionCall,
  treasuryTransferCall,
} from '../../src/chain/proposal-calls.ts'
import { GOVERNANCE_SETTINGS, startDevnet } from './devnet.ts'

// The demo's old settings (quorum 40 %, threshold 0, a 1-hour vote), with the shortest delays allowed.
const settings = GOVERNANCE_SETTINGS

const revertsWith = async (p: Promise<unknown>, errorName: string) =>
  assert.rejects(p, (e: Error & { details?: { errorName?: string } }) => {
    assert.equal(e.details?.errorName, errorName, e.message)
    return true
  })

async function setup() {
  const net = await startDevnet(3)
  const [alice, bob, carol] = net.accounts as [
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
  ]
  const created = await createModel(net.deployer, {
    name: 'captured',
    symbol: 'CAP',
    cardURI: '',
    owners: [
      { address: alice.address, shares: parseEther('40') },
      { address: bob.address, shares: parseEther('35') },
      { address: carol.address, shares: parseEther('25') },
    ],
    settings,
  })
  const model = await getModel(net.reader, created.modelId)
  const contracts = { registry: net.deployment.modelRegistry, shares: model.shares, timelock: model.timelock }
  const supply = () =>
    net.reader.public.readContract({
      address: model.shares,
      abi: ModelShares.abi,
      functionName: 'totalSupply',
    })
  const isConstitutional = (proposalId: bigint) =>
    net.reader.public.readContract({
      address: model.governor,
      abi: ModelGovernor.abi,
      functionName: 'proposalIsConstitutional',
      args: [proposalId],
    })
  const proposal = async (id: bigint) => (await listProposals(net.reader, model)).find((x) => x.id === id)!
  return { net, alice, bob, carol, model, contracts, supply, isConstitutional, proposal }
}

test('a 40 % holder alone cannot mint itself 10^30 shares, change settings or empty the treasury; a routine vote still passes on quorum', async () => {
  const s = await setup()
  await using net = s.net
  const { alice, model, contracts } = s
  await net.chain.fund(model.timelock, parseEther('10'))
  const governorCall = (data: `0x${string}`): ProposalCall => ({ target: model.governor, value: 0n, data })
  const attacks: [string, ProposalCall][] = [
    ['mint 10^30 shares to alice', mintSharesCall(contracts, alice.address, 10n ** 30n)],
    [
      'voting delay 300 -> 1 day',
      governorCall(
        encodeFunctionData({ abi: ModelGovernor.abi, functionName: 'setVotingDelay', args: [86_400] }),
      ),
    ],
    [
      'quorum 40 -> 1',
      governorCall(
        encodeFunctionData({ abi: ModelGovernor.abi, functionName: 'updateQuorumNumerator', args: [1n] }),
      ),
    ],
    [
      'timelock delay 600 -> 1 day',
      {
        target: model.timelock,
        value: 0n,
        data: encodeFunctionData({ abi: ModelTimelock.abi, functionName: 'updateDelay', args: [86_400n] }),
      },
    ],
    ['treasury 10 ETH to alice', treasuryTransferCall(alice.address, parseEther('10'))],
  ]
  const ids: bigint[] = []
  for (const [description, call] of attacks) {
    ids.push(await propose(net.as(alice), { governor: model.governor, calls: [call], description }))
  }
  // A routine proposal (publish a version) by the same holder, as control: quorum and majority of votes cast.
  const versionId = await proposeVersion(net.as(alice), {
    modelId: model.id,
    contentRoot: `0x${'ab'.repeat(32)}`,
    format: 'gguf',
    size: 1n,
    cardURI: '',
  })
  const routine = await propose(net.as(alice), {
    governor: model.governor,
    calls: [publishVersionCall(contracts, model.id, versionId)],
    description: 'publish version 1',
  })
  for (const id of ids) assert.equal(await s.isConstitutional(id), true)
  assert.equal(await s.isConstitutional(routine), false)

  await net.chain.warp(settings.votingDelay + 1)
  for (const id of [...ids, routine])
    await castVote(net.as(alice), { governor: model.governor, proposalId: id, support: 'for' })
  await net.chain.warp(settings.votingPeriod + 1)

  const supplyBefore = await s.supply()
  for (const [i, id] of ids.entries()) {
    const p = await s.proposal(id)
    assert.equal(p.state, 'defeated', attacks[i]![0])
    assert.equal(p.constitutional, true)
    assert.equal(p.votes.for, parseEther('40'))
    await revertsWith(queueProposal(net.as(alice), p), 'GovernorUnexpectedProposalState')
    await revertsWith(executeProposal(net.as(alice), p), 'GovernorUnexpectedProposalState')
  }
  assert.equal(await s.supply(), supplyBefore)
  assert.equal(await net.reader.public.getBalance({ address: model.timelock }), parseEther('10'))
  const control = await s.proposal(routine)
  assert.deepEqual([control.state, control.constitutional], ['succeeded', false])
})

test('a majority of all shares still mints; 40 % For plus 35 % Abstain does not; no vote can set a delay below the floor', async () => {
  const s = await setup()
  await using net = s.net
  const { alice, bob, carol, model, contracts } = s
  const mint = (description: string) =>
    propose(net.as(alice), {
      governor: model.governor,
      calls: [mintSharesCall(contracts, carol.address, parseEther('10'))],
      description,
    })
  const byMajority = await mint('mint 10 to carol, voted by alice and bob')
  const withAbstention = await mint('mint 10 to carol, bob abstains')
  const zeroDelay = await propose(net.as(alice), {
    governor: model.governor,
    calls: [
      {
        target: model.governor,
        value: 0n,
        data: encodeFunctionData({ abi: ModelGovernor.abi, functionName: 'setVotingDelay', args: [0] }),
      },
    ],
    description: 'voting delay 0',
  })
  const zeroTimelock = await propose(net.as(alice), {
    governor: model.governor,
    calls: [
      {
        target: model.timelock,
        value: 0n,
        data: encodeFunctionData({ abi: ModelTimelock.abi, functionName: 'updateDelay', args: [0n] }),
      },
    ],
    description: 'timelock delay 0',
  })
  await net.chain.warp(settings.votingDelay + 1)
  const ballots: [bigint, VoteChoice, VoteChoice][] = [
    [byMajority, 'for', 'for'],
    [withAbstention, 'for', 'abstain'],
    [zeroDelay, 'for', 'for'],
    [zeroTimelock, 'for', 'for'],
  ]
  for (const [proposalId, a, b] of ballots) {
    await castVote(net.as(alice), { governor: model.governor, proposalId, support: a })
    await castVote(net.as(bob), { governor: model.governor, proposalId, support: b })
  }
  await net.chain.warp(settings.votingPeriod + 1)
  assert.equal((await s.proposal(withAbstention)).state, 'defeated')
  for (const id of [byMajority, zeroDelay, zeroTimelock]) {
    assert.equal((await s.proposal(id)).state, 'succeeded')
    await queueProposal(net.as(carol), await s.proposal(id))
  }
  await net.chain.warp(Number(settings.timelockDelay) + 1)
  await executeProposal(net.as(carol), await s.proposal(byMajority))
  assert.equal(await s.supply(), parseEther('110'))
  await revertsWith(
    executeProposal(net.as(carol), await s.proposal(zeroDelay)),
    'GovernorSettingBelowMinimum',
  )
  await revertsWith(
    executeProposal(net.as(carol), await s.proposal(zeroTimelock)),
    'TimelockDelayBelowMinimum',
  )
})

test('a model cannot be created with a zero or tiny voting delay, voting period or timelock delay', async () => {
  await using net = await startDevnet(1)
  const owners = [{ address: net.accounts[0]!.address, shares: parseEther('1') }]
  const tiny: [Partial<typeof settings>, string][] = [
    [{ votingDelay: 0 }, 'votingDelay'],
    [{ votingDelay: 299 }, 'votingDelay'],
    [{ votingPeriod: 60 }, 'votingPeriod'],
    [{ timelockDelay: 0n }, 'timelockDelay'],
  ]
  for (const [i, [change, setting]] of tiny.entries()) {
    await assert.rejects(
      createModel(net.deployer, {
        name: `tiny-${i}`,
        symbol: 'T',
        cardURI: '',
        owners,
        settings: { ...settings, ...change },
      }),
      (e: Error & { details?: { errorName?: string } }) => {
        assert.equal(e.details?.errorName, 'RegistrySettingBelowMinimum', e.message)
        assert.match(e.message, new RegExp(setting))
        return true
      },
    )
  }
})
