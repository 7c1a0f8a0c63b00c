import assert from 'node:assert/strict'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { hexToBytes, parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { castVote } from '../../src/chain/actions/cast-vote.ts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { depositToEscrow } from '../../src/chain/actions/escrow-deposit.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { listProposals } from '../../src/chain/actions/list-proposals.ts'
import { registerNode } from '../../src/chain/actions/nodes.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { executeProposal, queueProposal } from '../../src/chain/actions/queue-proposal.ts'
import { redeemVouchers } from '../../src/chain/actions/redeem-vouchers.ts'
import { commitTrainingRound } from '../../src/chain/actions/training-commit-round.ts'
import { createTrainingJob } from '../../src/chain/actions/training-create-job.ts'
import { finishTrainingJob } from '../../src/chain/actions/training-finish-job.ts'
import { joinTrainingJob } from '../../src/chain/actions/training-join-job.ts'
import { type Deployment, deploymentSchema, writeDeployment } from '../../src/chain/deployment.ts'
import { getRevenueSplit, readEarnings } from '../../src/chain/index.ts'
import { publishVersionCall } from '../../src/chain/proposal-calls.ts'
import { signVoucher } from '../../src/chain/usage-typed-data.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { nodeConfigSchema } from '../../src/node/config.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { deployToRpc } from '../../src/node/deploy.ts'
import { createInvite, writeConfig } from '../../src/node/index.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { startHardhatEvm } from '../helpers/hardhat-evm.ts'
import { freePort } from '../helpers/json-rpc.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import type { Devnet } from './devnet.ts'
import { GOVERNANCE_SETTINGS } from './devnet.ts'
import { hash, jobInput, signed } from './training-fixtures.ts'

const _hash = (byte: string) => `0x${byte.repeat(32)}` as const
const settings = GOVERNANCE_SETTINGS

// The second EVM implementation: Hardhat Network from the `hardhat` npm package (see the helper for why
// not ganache or tevm). Nothing here may rely on anvil: its helpers are hardhat_*, its fee market its own.
const chain = await startHardhatEvm()
after(() => chain[Symbol.asyncDispose]())
/** What the deploy test deployed, for the tests after it. */
let deployed: Deployment

test('commons deploy to an EVM endpoint over HTTP: typed errors, confirmations, code check, re-run, resume', async () => {
  await using data = await tmpDir('commons-deploy-')
  const file = join(data.path, 'remote-deployment.json')
  const deploy = (...extra: string[]) =>
    runCli(data.path, ['--json', '--rpc', chain.rpcUrl, '--deployment', file, 'deploy', ...extra])

  // An RPC that does not answer, and the wrong chain: typed errors saying what to do, nothing written.
  // In-process (the CLI's own code path below it), for speed: an RPC that does not answer, the wrong chain.
  const direct = (o: { rpcUrl?: string; expectedChainId?: number; file?: string }) =>
    deployToRpc({
      paths: dataDirLayout(data.path),
      account: 'node',
      rpcUrl: o.rpcUrl ?? chain.rpcUrl,
      expectedChainId: o.expectedChainId,
      file: o.file ?? file,
      confirmations: 1,
      fees: {},
    })
  await assert.rejects(direct({ rpcUrl: `http://127.0.0.1:${await freePort()}` }), (e: Error) => {
    assert.equal(e.name, 'RpcUnreachableError')
    assert.match(e.message, /does not answer.*Check the URL/s)
    return true
  })
  await assert.rejects(direct({ expectedChainId: 1 }), (e: Error) => {
    assert.equal(e.name, 'WrongChainIdError')
    assert.match(e.message, new RegExp(`serves chain ${chain.chainId}, not the expected chain 1`))
    return true
  })

  // Too little gas money: the estimate says how much and which address to fund, before sending anything.
  const poor = await deploy('--chain-id', String(chain.chainId))
  assert.notEqual(poor.code, 0)
  const nodeAddress = /send at least [\d.]+ ETH to (0x[0-9a-fA-F]{40})/.exec(
    poor.stderr,
  )?.[1] as `0x${string}`
  assert.ok(nodeAddress, poor.stderr)
  assert.equal(await chain.rpc('eth_getTransactionCount', [nodeAddress, 'latest']), '0x0')
  await rm(file, { force: true })

  // A funded key deploys with 2 confirmations (blocks keep coming) and EIP-1559 fee settings.
  await chain.fund(nodeAddress, parseEther('100'))
  const miner = setInterval(() => chain.mine().catch(() => {}), 150)
  let first: Awaited<ReturnType<typeof deploy>>
  try {
    first = await deploy('--confirmations', '2', '--max-fee-gwei', '50', '--priority-fee-gwei', '1')
  } finally {
    clearInterval(miner)
  }
  assert.equal(first.code, 0, first.stderr)
  assert.equal(first.json.deployed.length, 10)
  const deployment = deploymentSchema.parse(JSON.parse(await readFile(file, 'utf8')))
  deployed = deployment
  assert.equal(deployment.chainId, chain.chainId)

  // A re-run checks every contract's code and deploys nothing.
  const again = await direct({})
  assert.deepEqual(again.deployed, [])
  assert.equal(again.reused.length, 10)
  assert.deepEqual(again.deployment, deployment)

  // A crash after three contracts left only the progress file: the re-run deploys just the other five.
  const partial = {
    chainId: chain.chainId,
    fromBlock: deployment.deployedAtBlock,
    addresses: {
      ModelShares: deployment.implementations.shares,
      ModelTimelock: deployment.implementations.timelock,
      ModelGovernor: deployment.implementations.governor,
    },
  }
  const resumeFile = join(data.path, 'resumed.json')
  await writeFile(`${resumeFile}.partial`, JSON.stringify(partial))
  const resumed = await direct({ file: resumeFile })
  assert.deepEqual(resumed.reused, ['ModelShares', 'ModelTimelock', 'ModelGovernor'])
  assert.equal(resumed.deployed.length, 7)
  assert.equal(resumed.deployment.implementations.shares, deployment.implementations.shares)
  await assert.rejects(readFile(`${resumeFile}.partial`), /ENOENT/)

  // A listed address whose code is another contract's is refused, not trusted.
  const forged = join(data.path, 'forged.json')
  await writeFile(
    `${forged}.partial`,
    JSON.stringify({ ...partial, addresses: { ModelShares: deployment.implementations.timelock } }),
  )
  await assert.rejects(direct({ file: forged }), (e: Error) => {
    assert.equal(e.name, 'DeployedCodeMismatchError')
    assert.match(e.message, /is not this version's ModelShares/)
    return true
  })

  // The deployed contracts run: a model is created (its shares, timelock and governor cloned).
  const access = createChainAccess({ rpcUrl: chain.rpcUrl, deployment })
  const alice = privateKeyToAccount(generatePrivateKey())
  await chain.fund(alice.address, parseEther('10'))
  const { modelId } = await createModel(access.writer(alice), {
    name: 'remote-model',
    symbol: 'GAN',
    cardURI: '',
    owners: [{ address: alice.address, shares: 1n }],
    settings,
  })
  assert.equal(modelId, 1n)
})

test('on the second EVM: owners 40/35/25 publish a version by vote, a training round is recorded, a voucher is settled, and a node joins with `commons join` and registers itself', async () => {
  const access = createChainAccess({ rpcUrl: chain.rpcUrl, deployment: deployed })
  const [alice, bob, carol] = [0, 1, 2].map(() => privateKeyToAccount(generatePrivateKey()))
  for (const a of [alice!, bob!, carol!]) await chain.fund(a.address, parseEther('10'))
  const { modelId } = await createModel(access.writer(alice!), {
    name: 'hardhat-model',
    symbol: 'HHM',
    cardURI: '',
    owners: [
      { address: alice!.address, shares: parseEther('40') },
      { address: bob!.address, shares: parseEther('35') },
      { address: carol!.address, shares: parseEther('25') },
    ],
    settings,
  })
  const model = await getModel(access.reader, modelId)
  const versionId = await proposeVersion(access.writer(alice!), {
    modelId,
    contentRoot: _hash('ab'),
    format: 'gguf',
    size: 1234n,
    cardURI: '',
  })
  const contracts = { registry: deployed.modelRegistry, shares: model.shares, timelock: model.timelock }
  const proposalId = await propose(access.writer(alice!), {
    governor: model.governor,
    calls: [publishVersionCall(contracts, modelId, versionId)],
    description: 'Publish version 1 on the second EVM',
  })
  await chain.warp(settings.votingDelay + 1)
  await castVote(access.writer(alice!), { governor: model.governor, proposalId, support: 'for' })
  await castVote(access.writer(bob!), { governor: model.governor, proposalId, support: 'for' })
  await castVote(access.writer(carol!), { governor: model.governor, proposalId, support: 'against' })
  await chain.warp(settings.votingPeriod + 1)
  const [p] = await listProposals(access.reader, model)
  assert.equal(p!.state, 'succeeded')
  assert.deepEqual(p!.votes, { for: parseEther('75'), against: parseEther('25'), abstain: 0n })
  await queueProposal(access.writer(carol!), p!)
  await chain.warp(Number(settings.timelockDelay) + 1)
  await executeProposal(access.writer(carol!), p!)
  assert.equal((await getModel(access.reader, modelId)).latestPublishedVersion, versionId)

  // The training ledger: a job with two members, a round of contributions they signed, finished.
  const net = { as: (a: typeof alice) => access.writer(a!) } as unknown as Devnet
  const jobId = await createTrainingJob(access.writer(alice!), {
    ...jobInput(modelId, [bob!, carol!], bob!),
    rounds: 1,
  })
  for (const m of [bob!, carol!]) await joinTrainingJob(access.writer(m), { jobId })
  const from = { jobId, round: 1, trainedFrom: hash('0b') }
  await commitTrainingRound(access.writer(bob!), {
    ...from,
    modelHash: hash('a1'),
    inputsCommitment: hash('b1'),
    contributions: await signed(net, from, [
      [bob!, 300n],
      [carol!, 100n],
    ]),
  })
  await finishTrainingJob(access.writer(bob!), { jobId, resultRoot: hash('a1') })

  // Settlement: a consumer's deposit, a voucher it signed, redeemed by the serving node; the node is paid its part.
  const [consumer, server] = [0, 1].map(() => privateKeyToAccount(generatePrivateKey()))
  for (const a of [consumer!, server!]) await chain.fund(a.address, parseEther('10'))
  await depositToEscrow(access.writer(consumer!), parseEther('1'))
  const domain = { chainId: chain.chainId, escrow: deployed.usageEscrow! }
  await redeemVouchers(access.writer(server!), [
    await signVoucher(consumer!, domain, {
      consumer: consumer!.address,
      provider: server!.address,
      modelId,
      versionId,
      cumulativeAmount: parseEther('0.5'),
    }),
  ])
  const split = await getRevenueSplit(access.reader, modelId)
  assert.equal(
    (await readEarnings(access.reader, server!.address)).node,
    (parseEther('0.5') * BigInt(split.node)) / 10_000n,
  )
  assert.equal((await readEarnings(access.reader, consumer!.address)).deposit, parseEther('0.5'))

  // A member's node (registered, its chain saved in its data dir) invites; a new machine joins.
  await using inviterDir = await tmpDir()
  const inviter = await new Keystore({ dir: join(inviterDir.path, 'accounts') }).create('node')
  await chain.fund(inviter.address, parseEther('1'))
  await registerNode(access.writer(inviter), {
    publicKey: hexToBytes(inviter.publicKey).slice(1),
    multiaddrs: [],
    capabilities: [],
  })
  await writeDeployment(join(inviterDir.path, 'deployment.json'), deployed)
  await writeConfig(
    join(inviterDir.path, 'config.json'),
    nodeConfigSchema.parse({
      chain: { mode: 'rpc', rpcUrl: chain.rpcUrl, deploymentFile: join(inviterDir.path, 'deployment.json') },
    }),
  )
  const { invite } = await createInvite({
    dataDir: inviterDir.path,
    rpcUrl: chain.rpcUrl,
    bootstrap: ['/ip4/127.0.0.1/tcp/9/p2p/12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'],
    ttlSeconds: 600,
  })
  await using joinerDir = await tmpDir()
  const joined = await runCli(joinerDir.path, ['--json', 'join', '--no-up', invite])
  assert.equal(joined.code, 0, joined.stderr)
  assert.equal(joined.json.chainId, chain.chainId)
  await chain.fund(joined.json.address, parseEther('1'))
  const node = await startNodeProcess(joinerDir.path)
  try {
    assert.equal(node.address.toLowerCase(), joined.json.address.toLowerCase())
    const token = (await readFile(join(joinerDir.path, 'api-token'), 'utf8')).trim()
    const { nodes } = (await (
      await fetch(`${node.apiUrl}/api/nodes`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { nodes: { address: string }[] }
    assert.deepEqual(
      nodes.map((n) => n.address.toLowerCase()).sort(),
      [inviter.address, joined.json.address].map((a: string) => a.toLowerCase()).sort(),
      'the joined node registered itself on the second EVM',
    )
  } finally {
    await node.stop()
  }
})
