import assert from 'node:assert/strict'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { type AddressInfo, createServer } from 'node:net'
import { join } from 'node:path'
import { test } from 'node:test'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { deploymentSchema } from '../../src/chain/deployment.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { deployToRpc } from '../../src/node/deploy.ts'
import { runCli } from '../helpers/cli.ts'
import { startHttpAnvil } from '../helpers/plain-anvil.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const _hash = (byte: string) => `0x${byte.repeat(32)}` as const
const settings = {
  votingDelay: 300,
  votingPeriod: 3_600,
  proposalThreshold: 0n,
  quorumPercent: 40n,
  timelockDelay: 600n,
}

// The contracts need cancun (MCOPY, also in the ReleaseGate the registry creates in its constructor), which
// ganache 7.9 (the ethereumjs VM) lacks: `commons deploy` is tested on an anvil
// reached over plain HTTP, as any remote JSON-RPC endpoint is. See docs/deploy.md.
async function startHttpEvm() {
  const anvil = await startHttpAnvil()
  return {
    rpcUrl: anvil.rpcUrl,
    chainId: 31337,
    rpc: anvil.rpc,
    mine: () => anvil.rpc('evm_mine', []),
    fund: async (address: `0x${string}`, wei: bigint) => {
      await anvil.rpc('anvil_setBalance', [address, `0x${wei.toString(16)}`])
    },
    [Symbol.asyncDispose]: () => anvil[Symbol.asyncDispose](),
  }
}

test('commons deploy to an EVM endpoint over HTTP: typed errors, confirmations, code check, re-run, resume', async () => {
  await using chain = await startHttpEvm()
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
  await assert.rejects(direct({ rpcUrl: `http://127.0.0.1:${await closedPort()}` }), (e: Error) => {
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

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}
