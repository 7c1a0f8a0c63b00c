import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseEther } from 'viem'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { getPublishedVersionId } from '../../src/chain/actions/get-version-id.ts'
import { listVersions } from '../../src/chain/actions/list-versions.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { mintSharesCall, publishVersionCall } from '../../src/chain/proposal-calls.ts'
import { createGovernance } from '../../src/governance/index.ts'
import { GOVERNANCE_SETTINGS, startDevnet } from '../chain/devnet.ts'

const settings = GOVERNANCE_SETTINGS
const RESULT_ROOT = `0x${'7e'.repeat(32)}` as const
const OTHER_ROOT = `0x${'5a'.repeat(32)}` as const

test('a 1-wei holder who records a training result root first with fake metadata blocks nothing; a revoked root comes back by a new vote', async () => {
  await using net = await startDevnet(4)
  const [alice, bob, carol, mallory] = net.accounts as [
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
  ]
  const named = { alice, bob, carol, mallory }
  const governance = createGovernance(
    {},
    {
      reader: net.reader,
      writerFor: async (name) => net.as(named[name as keyof typeof named]),
      addressOf: async (name) => named[name as keyof typeof named].address,
    },
  )
  const created = await createModel(net.deployer, {
    name: 'squatted',
    symbol: 'SQ',
    cardURI: '',
    owners: [
      { address: alice.address, shares: parseEther('40') },
      { address: bob.address, shares: parseEther('35') },
      { address: carol.address, shares: parseEther('25') },
      { address: mallory.address, shares: 1n },
    ],
    settings,
  })
  const model = await getModel(net.reader, created.modelId)
  const contracts = { registry: net.deployment.modelRegistry, shares: model.shares, timelock: model.timelock }
  const pass = async (ref: string) => {
    await net.chain.warp(settings.votingDelay + 1)
    await governance.vote({ account: 'alice', proposal: ref, support: 'for' })
    await governance.vote({ account: 'bob', proposal: ref, support: 'for' })
    await net.chain.warp(settings.votingPeriod + 1)
    await governance.queue({ account: 'carol', proposal: ref })
    await net.chain.warp(Number(settings.timelockDelay) + 1)
    return governance.execute({ account: 'carol', proposal: ref })
  }

  // Mallory, holding 1 wei, records the training job's result root first, with fake metadata.
  const squat = {
    modelId: model.id,
    contentRoot: RESULT_ROOT,
    format: 'exe',
    size: 1n,
    cardURI: 'https://evil',
  }
  const squatted = await proposeVersion(net.as(mallory), squat)

  // The job's coordinator then does what src/federated/job-coordinator.ts does when a job finishes: record
  // the result and propose publishing it together with the contributors' shares.
  const cardURI = 'commons:training-job/1'
  const versionId = await proposeVersion(net.as(alice), {
    modelId: model.id,
    contentRoot: RESULT_ROOT,
    format: 'gguf',
    size: 4_096n,
    cardURI,
  })
  assert.notEqual(versionId, squatted)
  await propose(net.as(alice), {
    governor: model.governor,
    calls: [
      publishVersionCall(contracts, model.id, versionId),
      mintSharesCall(contracts, bob.address, parseEther('1')),
    ],
    description: 'Publish the result of federated training job 1 and mint shares to its contributors.',
  })
  const [job] = await governance.listProposals('squatted')
  assert.equal((await pass(job!.ref)).state, 'executed')
  let versions = await listVersions(net.reader, model.id)
  const published = versions.find((v) => v.id === versionId)!
  assert.deepEqual(
    { status: published.status, format: published.format, size: published.size, cardURI: published.cardURI },
    { status: 'published', format: 'gguf', size: 4_096n, cardURI },
  )
  assert.equal(versions.find((v) => v.id === squatted)!.status, 'proposed')
  assert.equal(
    await getPublishedVersionId(net.reader, { modelId: model.id, contentRoot: RESULT_ROOT }),
    versionId,
  )
  assert.equal((await getModel(net.reader, model.id)).latestPublishedVersion, versionId)
  // The squatter's candidate can no longer be recorded or published over it.
  await assert.rejects(proposeVersion(net.as(mallory), squat), /RegistryDuplicateVersion/)

  // The same through the governance use case: bob's proposal publishes his own record, not mallory's.
  const other = await proposeVersion(net.as(mallory), { ...squat, contentRoot: OTHER_ROOT })
  const p = await governance.propose({
    account: 'bob',
    model: 'squatted',
    kind: 'publish-version',
    contentRoot: OTHER_ROOT,
    size: '2048',
  })
  const bobsVersion = (await listVersions(net.reader, model.id)).at(-1)!
  assert.notEqual(bobsVersion.id, other)
  assert.equal(bobsVersion.proposer, bob.address)
  assert.match(p.description, new RegExp(`^Publish version ${bobsVersion.id} `))
  assert.equal((await pass(p.ref)).state, 'executed')
  versions = await listVersions(net.reader, model.id)
  assert.equal(versions.find((v) => v.id === bobsVersion.id)!.status, 'published')
  assert.equal(versions.find((v) => v.id === bobsVersion.id)!.size, 2_048n)

  // A revoked root can be published again, by a new proposal.
  const revoke = await governance.propose({
    account: 'alice',
    model: 'squatted',
    kind: 'revoke-version',
    versionId: versionId.toString(),
  })
  assert.equal((await pass(revoke.ref)).state, 'executed')
  assert.equal(await getPublishedVersionId(net.reader, { modelId: model.id, contentRoot: RESULT_ROOT }), 0n)
  const again = await governance.propose({
    account: 'alice',
    model: 'squatted',
    kind: 'publish-version',
    contentRoot: RESULT_ROOT,
    size: '4096',
    cardURI,
  })
  assert.equal((await pass(again.ref)).state, 'executed')
  const republished = await getPublishedVersionId(net.reader, { modelId: model.id, contentRoot: RESULT_ROOT })
  assert.ok(republished > versionId)
  assert.equal((await getModel(net.reader, model.id)).latestPublishedVersion, republished)
  versions = await listVersions(net.reader, model.id)
  assert.equal(versions.find((v) => v.id === versionId)!.status, 'revoked')
  assert.equal(versions.find((v) => v.id === republished)!.status, 'published')
})
