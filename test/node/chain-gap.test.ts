import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import pino from 'pino'
import { parseEther } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { castVote } from '../../src/chain/actions/cast-vote.ts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { listProposals } from '../../src/chain/actions/list-proposals.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { executeProposal, queueProposal } from '../../src/chain/actions/queue-proposal.ts'
import { deployContracts } from '../../src/chain/deploy-contracts.ts'
import { writeDeployment } from '../../src/chain/deployment.ts'
import { publishVersionCall } from '../../src/chain/proposal-calls.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { fileCursor } from '../../src/node/chain-cursor.ts'
import { watchRegistries } from '../../src/node/chain-watcher.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { Keystore } from '../../src/node/keystore.ts'
import { GOVERNANCE_SETTINGS } from '../chain/devnet.ts'
import { bootstrapAccess } from '../helpers/bootstrap-access.ts'
import { startNodeProcess } from '../helpers/cli.ts'
import { startHttpAnvil } from '../helpers/plain-anvil.ts'
import { startTcpProxy } from '../helpers/tcp-proxy.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const settings = GOVERNANCE_SETTINGS
const root = (byte: string) => `0x${byte.repeat(32)}` as const

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('chain down and back: the watcher resumes at its last block (also across a restart) and applies every event of the gap; a node reports the chain unavailable meanwhile', async () => {
  await using anvil = await startHttpAnvil()
  await using proxy = await startTcpProxy({ host: '127.0.0.1', port: anvil.port })
  await using dir = await tmpDir('commons-gap-')
  const alice = privateKeyToAccount(generatePrivateKey())
  await anvil.rpc('anvil_setBalance', [alice.address, `0x${parseEther('100').toString(16)}`])
  const boot = bootstrapAccess(anvil.rpcUrl)
  const deployment = await deployContracts(boot.writer(alice))
  const direct = createChainAccess({ rpcUrl: anvil.rpcUrl, deployment }).writer(alice)
  const { modelId } = await createModel(direct, {
    name: 'gap-model',
    symbol: 'GAP',
    cardURI: '',
    owners: [{ address: alice.address, shares: 100n }],
    settings,
  })
  const model = await getModel(direct, modelId)
  const publish = async (contentRoot: `0x${string}`) => {
    const versionId = await proposeVersion(direct, {
      modelId,
      contentRoot,
      format: 'gguf',
      size: 1n,
      cardURI: '',
    })
    await propose(direct, {
      governor: model.governor,
      calls: [
        publishVersionCall(
          { registry: deployment.modelRegistry, shares: model.shares, timelock: model.timelock },
          modelId,
          versionId,
        ),
      ],
      description: `publish ${contentRoot}`,
    })
    await anvil.warp(settings.votingDelay + 1)
    const open = (await listProposals(direct, model)).find((p) => p.state === 'active')!
    await castVote(direct, { governor: model.governor, proposalId: open.id, support: 'for' })
    await anvil.warp(settings.votingPeriod + 1)
    await queueProposal(direct, (await listProposals(direct, model)).find((p) => p.id === open.id)!)
    await anvil.warp(Number(settings.timelockDelay) + 1)
    await executeProposal(direct, (await listProposals(direct, model)).find((p) => p.id === open.id)!)
  }

  // The watcher reads through the proxy; its log is captured to count state changes.
  const logLines: { level: number; msg: string }[] = []
  const log = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line)) })
  const seen: string[] = []
  const cursorFile = join(dir.path, 'cursor.json')
  const watch = () =>
    watchRegistries(
      {
        reader: createChainAccess({ rpcUrl: proxy.url, deployment }).reader,
        log,
        cursor: fileCursor(cursorFile, { chainId: 31337, registry: deployment.modelRegistry }),
      },
      { onNodesChanged: () => {}, onVersionPublished: (e) => void seen.push(e.contentRoot) },
      { pollingIntervalMs: 100, maxRetryMs: 800 },
    )
  let stop = watch()
  await until(
    'the cursor file',
    async () =>
      (await fileCursor(cursorFile, { chainId: 31337, registry: deployment.modelRegistry }).load()) !==
      undefined,
  )

  // Gap 1: the chain is unreachable while a version is published.
  await proxy.cut()
  await publish(root('a1'))
  // Cut until the watcher has noticed (a fixed wait raced a loaded machine's slow polls).
  await until('the watcher to notice the outage', async () =>
    logLines.some((l) => l.level === 40 && /registry watch failed/.test(l.msg)),
  )
  await new Promise((r) => setTimeout(r, 500))
  assert.equal(seen.length, 0, 'nothing can be seen while the chain is cut')
  await proxy.restore()
  await until('the version of the gap', () => seen.includes(root('a1')))
  // The handlers run inside the poll; its return is logged when the poll ends.
  await until('the watcher to log the chain back', async () =>
    logLines.some((l) => /chain reachable again/.test(l.msg)),
  )
  const warns = logLines.filter((l) => l.level === 40 && /registry watch failed/.test(l.msg))
  const backs = logLines.filter((l) => /chain reachable again/.test(l.msg))
  assert.equal(warns.length, 1, 'one warning per outage, not one per retry')
  assert.equal(backs.length, 1)

  // Gap 2: the watcher (the node) is stopped while a version is published; a new one resumes from the file.
  stop()
  await publish(root('a2'))
  stop = watch()
  await until('the version published while stopped', () => seen.includes(root('a2')))
  stop()
  assert.deepEqual(seen, [root('a1'), root('a2')], 'each event applied once')

  // A node on this chain (through the proxy) says the chain is unavailable while cut, and ok after.
  const nodeDir = join(dir.path, 'node')
  const node = await new Keystore({ dir: dataDirLayout(nodeDir).accounts }).get('node', { create: true })
  await anvil.rpc('anvil_setBalance', [node.address, `0x${parseEther('10').toString(16)}`])
  const deploymentFile = join(dir.path, 'deployment.json')
  await writeDeployment(deploymentFile, deployment)
  const proc = await startNodeProcess(nodeDir, [
    '--no-demo',
    '--rpc',
    proxy.url,
    '--deployment',
    deploymentFile,
  ])
  try {
    const health = async () => {
      const r = await fetch(`${proc.apiUrl}/healthz`)
      return { status: r.status, body: (await r.json()) as { chain: { status: string } } }
    }
    assert.equal((await health()).status, 200)
    // The node keeps its watcher's place in its data dir, for this chain and deployment.
    const nodeCursor = fileCursor(join(nodeDir, 'chain-cursor.json'), {
      chainId: 31337,
      registry: deployment.modelRegistry,
    })
    await until('the node to save its cursor', async () => (await nodeCursor.load()) !== undefined)
    await proxy.cut()
    await until('healthz to report the chain unavailable', async () => (await health()).status === 503)
    assert.equal((await health()).body.chain.status, 'unavailable')
    await proxy.restore()
    await until('healthz to recover', async () => (await health()).status === 200)
  } finally {
    await proc.stop()
  }
})
