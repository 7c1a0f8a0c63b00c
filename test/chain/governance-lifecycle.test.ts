import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseEther, zeroHash } from 'viem'
import { castVote } from '../../src/chain/actions/cast-vote.ts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { listProposals } from '../../src/chain/actions/list-proposals.ts'
import { listVersions } from '../../src/chain/actions/list-versions.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { executeProposal, queueProposal } from '../../src/chain/actions/queue-proposal.ts'
import { publishVersionCall } from '../../src/chain/proposal-calls.ts'
import { GOVERNANCE_SETTINGS, startDevnet } from './devnet.ts'

const ROOT = `0x${'ab'.repeat(32)}` as const
const settings = GOVERNANCE_SETTINGS

test('a model co-owned 40/35/25 publishes a version by vote; a proposal without quorum is defeated', async () => {
  await using net = await startDevnet(3)
  const [alice, bob, carol] = net.accounts as [
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
  ]
  const created = await createModel(net.deployer, {
    name: 'tiny-llama',
    symbol: 'TINY',
    cardURI: 'ipfs://card',
    owners: [
      { address: alice.address, shares: parseEther('40') },
      { address: bob.address, shares: parseEther('35') },
      { address: carol.address, shares: parseEther('25') },
    ],
    settings,
  })
  const model = await getModel(net.reader, created.modelId)
  assert.equal(model.totalShares, parseEther('100'))
  const contracts = { registry: net.deployment.modelRegistry, shares: model.shares, timelock: model.timelock }

  const versionId = await proposeVersion(net.as(alice), {
    modelId: model.id,
    contentRoot: ROOT,
    format: 'gguf',
    size: 1234n,
    cardURI: '',
  })
  const proposalId = await propose(net.as(alice), {
    governor: model.governor,
    calls: [publishVersionCall(contracts, model.id, versionId)],
    description: 'Publish version 1',
  })
  await net.chain.warp(settings.votingDelay + 1)
  await castVote(net.as(alice), { governor: model.governor, proposalId, support: 'for' })
  await castVote(net.as(bob), { governor: model.governor, proposalId, support: 'for', reason: 'looks good' })
  await castVote(net.as(carol), { governor: model.governor, proposalId, support: 'against' })
  await net.chain.warp(settings.votingPeriod + 1)
  let [p] = await listProposals(net.reader, model)
  assert.equal(p!.state, 'succeeded')
  assert.deepEqual(p!.votes, { for: parseEther('75'), against: parseEther('25'), abstain: 0n })
  await queueProposal(net.as(carol), p!)
  await net.chain.warp(Number(settings.timelockDelay) + 1)
  await executeProposal(net.as(carol), p!)
  ;[p] = await listProposals(net.reader, model)
  assert.equal(p!.state, 'executed')
  const [v] = await listVersions(net.reader, model.id)
  assert.equal(v!.status, 'published')
  assert.equal(v!.contentRoot, ROOT)
  assert.equal((await getModel(net.reader, model.id)).latestPublishedVersion, 1n)

  // Only carol (25% < 40% quorum) votes: defeated, and cannot be queued or executed.
  const v2 = await proposeVersion(net.as(bob), {
    modelId: model.id,
    contentRoot: `0x${'cd'.repeat(32)}`,
    format: 'gguf',
    size: 1n,
    cardURI: '',
  })
  const p2 = await propose(net.as(bob), {
    governor: model.governor,
    calls: [publishVersionCall(contracts, model.id, v2)],
    description: 'Publish version 2',
  })
  await net.chain.warp(settings.votingDelay + 1)
  await castVote(net.as(carol), { governor: model.governor, proposalId: p2, support: 'for' })
  await net.chain.warp(settings.votingPeriod + 1)
  const defeated = (await listProposals(net.reader, model)).find((x) => x.id === p2)!
  assert.equal(defeated.state, 'defeated')
  await assert.rejects(queueProposal(net.as(bob), defeated), (e: Error) => {
    assert.equal(e.name, 'ContractRevertedError')
    assert.match(e.message, /GovernorUnexpectedProposalState/)
    return true
  })
  await assert.rejects(executeProposal(net.as(bob), defeated), /GovernorUnexpectedProposalState/)
  assert.equal((await listVersions(net.reader, model.id))[1]!.status, 'proposed')
  assert.notEqual(ROOT, zeroHash)
})
