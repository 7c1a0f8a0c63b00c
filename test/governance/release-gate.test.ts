import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseEther } from 'viem'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { getVersion } from '../../src/chain/actions/list-versions.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { ReleaseGate } from '../../src/chain/generated/artifacts.ts'
import { createGovernance } from '../../src/governance/index.ts'
import { GOVERNANCE_SETTINGS, startDevnet } from '../chain/devnet.ts'

const settings = GOVERNANCE_SETTINGS

const refusedWith = (errorName: string) => (e: Error & { details?: { errorName?: string } }) => {
  assert.equal(e.details?.errorName, errorName, e.message)
  return true
}

test('a publish proposal executes only once approved evaluators attest what the release policy needs', async () => {
  await using net = await startDevnet(5)
  const [alice, bob, eve, frank, mallory] = net.accounts as [
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
  ]
  const named = { alice, bob, eve, frank, mallory }
  const governance = createGovernance(
    {},
    {
      reader: net.reader,
      writerFor: async (name) => net.as(named[name as keyof typeof named]),
      addressOf: async (name) => named[name as keyof typeof named]?.address ?? (name as `0x${string}`),
    },
  )
  const created = await createModel(net.deployer, {
    name: 'gated',
    symbol: 'GAT',
    cardURI: '',
    owners: [
      { address: alice.address, shares: parseEther('60') },
      { address: bob.address, shares: parseEther('40') },
    ],
    settings,
  })
  const model = await getModel(net.reader, created.modelId)
  // Each step of a batch of proposals: all pass together (alice and bob hold every share).
  const passAll = async (refs: string[], { execute = true } = {}) => {
    await net.chain.warp(settings.votingDelay + 1)
    for (const ref of refs) {
      await governance.vote({ account: 'alice', proposal: ref, support: 'for' })
      await governance.vote({ account: 'bob', proposal: ref, support: 'for' })
    }
    await net.chain.warp(settings.votingPeriod + 1)
    for (const ref of refs) await governance.queue({ account: 'bob', proposal: ref })
    await net.chain.warp(Number(settings.timelockDelay) + 1)
    if (execute) for (const ref of refs) await governance.execute({ account: 'bob', proposal: ref })
  }

  // No one but the model's timelock approves evaluators or sets the policy: not even a majority owner.
  const gate = net.deployment.releaseGate!
  await assert.rejects(
    net.as(alice).wallet.writeContract({
      address: gate,
      abi: ReleaseGate.abi,
      functionName: 'setEvaluator',
      args: [model.id, alice.address, true],
    }),
    /GateUnauthorized/,
  )
  // Governance approves eve and frank and sets the policy: constitutional proposals (they change who decides).
  const approveEve = await governance.propose({
    account: 'alice',
    model: 'gated',
    kind: 'set-evaluator',
    evaluator: 'eve',
  })
  const approveFrank = await governance.propose({
    account: 'alice',
    model: 'gated',
    kind: 'set-evaluator',
    evaluator: 'frank',
  })
  const policy = await governance.propose({
    account: 'alice',
    model: 'gated',
    kind: 'set-release-policy',
    requirements: [
      { evaluation: 'perplexity', bound: 'max', threshold: '50', attestations: 1 },
      { evaluation: 'refusals', bound: 'min', threshold: '0.8', attestations: 1 },
    ],
  })
  for (const p of [approveEve, approveFrank, policy]) assert.equal(p.constitutional, true, p.actions.join())
  await passAll([approveEve.ref, approveFrank.ref, policy.ref])
  assert.deepEqual((await governance.releasePolicy('gated')).requirements, [
    { evaluation: 'perplexity', bound: 'max', threshold: '50', attestations: 1 },
    { evaluation: 'refusals', bound: 'min', threshold: '0.8', attestations: 1 },
  ])

  const versionId = await proposeVersion(net.as(alice), {
    modelId: model.id,
    contentRoot: `0x${'c1'.repeat(32)}`,
    format: 'gguf',
    size: 4_096n,
    cardURI: '',
  })
  // Frank attests passing results, then governance removes him, in the same batch as the publish proposal.
  await governance.attest({
    account: 'frank',
    model: 'gated',
    versionId: String(versionId),
    evaluation: 'perplexity',
    value: '12.5',
  })
  await governance.attest({
    account: 'frank',
    model: 'gated',
    versionId: String(versionId),
    evaluation: 'refusals',
    value: '1',
  })
  const removeFrank = await governance.propose({
    account: 'alice',
    model: 'gated',
    kind: 'set-evaluator',
    evaluator: 'frank',
    approved: false,
  })
  const publish = await governance.propose({
    account: 'alice',
    model: 'gated',
    kind: 'publish-version',
    versionId: String(versionId),
  })
  assert.equal(publish.constitutional, false, 'publishing stays routine')
  await passAll([removeFrank.ref, publish.ref], { execute: false })
  await governance.execute({ account: 'bob', proposal: removeFrank.ref })

  // Frank's attestations no longer count: the publish proposal cannot execute.
  await assert.rejects(
    governance.execute({ account: 'bob', proposal: publish.ref }),
    refusedWith('RegistryReleasePolicyNotMet'),
  )
  const shown = (await governance.showModel('gated')).versions[0]!
  assert.equal(shown.releasable, false)
  assert.deepEqual(
    shown.attestations.map((a) => [a.evaluation, a.value, a.approved]),
    [
      ['perplexity', '12.5', false],
      ['refusals', '1', false],
    ],
  )

  // Mallory was never approved: the chain refuses her attestation.
  await assert.rejects(
    governance.attest({
      account: 'mallory',
      model: 'gated',
      versionId: String(versionId),
      evaluation: 'perplexity',
      value: '1',
    }),
    refusedWith('GateEvaluatorNotApproved'),
  )

  // An attestation names a version that exists.
  await assert.rejects(
    governance.attest({
      account: 'eve',
      model: 'gated',
      versionId: '9',
      evaluation: 'perplexity',
      value: '1',
    }),
    /no version 9/,
  )
  // Eve attests a perplexity above the threshold: still not releasable; a passing re-attestation replaces it.
  await governance.attest({
    account: 'eve',
    model: 'gated',
    versionId: String(versionId),
    evaluation: 'perplexity',
    value: '80',
  })
  const partial = await governance.attest({
    account: 'eve',
    model: 'gated',
    versionId: String(versionId),
    evaluation: 'refusals',
    value: '0.9',
  })
  assert.equal(partial.releasable, false)
  await assert.rejects(
    governance.execute({ account: 'bob', proposal: publish.ref }),
    refusedWith('RegistryReleasePolicyNotMet'),
  )
  const met = await governance.attest({
    account: 'eve',
    model: 'gated',
    versionId: String(versionId),
    evaluation: 'perplexity',
    value: '31.25',
  })
  assert.equal(met.releasable, true)
  await governance.execute({ account: 'bob', proposal: publish.ref })
  assert.equal((await getVersion(net.reader, model.id, versionId)).status, 'published')
})
