import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { parseEther } from 'viem'
import { castVote } from '../../src/chain/actions/cast-vote.ts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { listProposals } from '../../src/chain/actions/list-proposals.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { executeProposal, queueProposal } from '../../src/chain/actions/queue-proposal.ts'
import { publishVersionCall } from '../../src/chain/proposal-calls.ts'
import { type ModelResolver, StaticModelResolver } from '../../src/inference/index.ts'
import { ChainModelResolver } from '../../src/node/chain-model-resolver.ts'
import { type Devnet, startDevnet } from '../chain/devnet.ts'

const ROOT_1 = `0x${'a1'.repeat(32)}` as const
const ROOT_2 = `0x${'a2'.repeat(32)}` as const
const ROOT_3 = `0x${'a3'.repeat(32)}` as const
const settings = {
  votingDelay: 300,
  votingPeriod: 3_600,
  proposalThreshold: 0n,
  quorumPercent: 10n,
  timelockDelay: 600n,
}

/** The compliance suite every ModelResolver passes: `tiny` has v1, v2 published and v3 only proposed; `empty` has none. */
function resolverCompliance(
  name: string,
  setup: () => Promise<{ resolver: ModelResolver; close(): Promise<void> }>,
): void {
  describe(`ModelResolver compliance: ${name}`, () => {
    let resolver: ModelResolver
    let close: () => Promise<void>
    before(async () => {
      ;({ resolver, close } = await setup())
    })
    after(() => close())

    test('a name resolves to its latest published version', async () => {
      const m = await resolver.resolve('tiny')
      assert.deepEqual(
        { ...m, created: 0 },
        { modelName: 'tiny', modelId: '1', versionId: '2', contentRoot: ROOT_2, created: 0 },
      )
    })
    test('name@version resolves to that published version; the id works as a name', async () => {
      assert.equal((await resolver.resolve('tiny@1')).contentRoot, ROOT_1)
      assert.equal((await resolver.resolve('1@1')).contentRoot, ROOT_1)
      assert.equal((await resolver.resolve('1')).versionId, '2')
    })
    test('unknown models, unpublished or missing versions, models without a published version: ModelNotFoundError', async () => {
      for (const model of ['nope', 'tiny@3', 'tiny@9', 'empty', '99']) {
        await assert.rejects(resolver.resolve(model), { name: 'ModelNotFoundError' }, model)
      }
    })
    test('list gives every model with a published version, at its latest', async () => {
      const list = await resolver.list()
      assert.deepEqual(
        list.map((m) => [m.modelName, m.versionId, m.contentRoot]),
        [['tiny', '2', ROOT_2]],
      )
    })
  })
}

resolverCompliance('StaticModelResolver', async () => ({
  resolver: new StaticModelResolver([
    { modelName: 'tiny', modelId: '1', versionId: '1', contentRoot: ROOT_1, created: 1 },
    { modelName: 'tiny', modelId: '1', versionId: '2', contentRoot: ROOT_2, created: 2 },
  ]),
  close: async () => {},
}))

resolverCompliance('ChainModelResolver on a real devnet', async () => {
  const net: Devnet = await startDevnet(1)
  const owner = net.accounts[0]!
  const created = await createModel(net.deployer, {
    name: 'tiny',
    symbol: 'TINY',
    cardURI: '',
    owners: [{ address: owner.address, shares: parseEther('1') }],
    settings,
  })
  await createModel(net.deployer, {
    name: 'empty',
    symbol: 'EMPTY',
    cardURI: '',
    owners: [{ address: owner.address, shares: parseEther('1') }],
    settings,
  })
  const model = await getModel(net.reader, created.modelId)
  const versions = []
  for (const contentRoot of [ROOT_1, ROOT_2, ROOT_3]) {
    versions.push(
      await proposeVersion(net.as(owner), {
        modelId: model.id,
        contentRoot,
        format: 'gguf',
        size: 1n,
        cardURI: '',
      }),
    )
  }
  const contracts = { registry: net.deployment.modelRegistry, shares: model.shares, timelock: model.timelock }
  const proposalId = await propose(net.as(owner), {
    governor: model.governor,
    calls: [
      publishVersionCall(contracts, model.id, versions[0]!),
      publishVersionCall(contracts, model.id, versions[1]!),
    ],
    description: 'Publish versions 1 and 2',
  })
  await net.chain.warp(settings.votingDelay + 1)
  await castVote(net.as(owner), { governor: model.governor, proposalId, support: 'for' })
  await net.chain.warp(settings.votingPeriod + 1)
  const [p] = await listProposals(net.reader, model)
  await queueProposal(net.as(owner), p!)
  await net.chain.warp(Number(settings.timelockDelay) + 1)
  await executeProposal(net.as(owner), p!)
  return {
    resolver: new ChainModelResolver({ reader: net.reader }),
    close: async () => {
      await net[Symbol.asyncDispose]()
    },
  }
})
