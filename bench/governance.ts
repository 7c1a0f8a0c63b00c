// Governance benchmark: the full lifecycle through our API (HTTP → zod → Governance → viem → persist)
// versus the same transactions sent with bare viem, on the same anvil, in one run; plus node cold start.
// Run: npx tsx bench/governance.ts [rounds]
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { keccak256, parseEther, parseEventLogs, toBytes } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ModelGovernor, ModelRegistry } from '../src/chain/generated/artifacts.ts'
import { createLogger } from '../src/log.ts'
import { createChainAccess } from '../src/node/chain-clients.ts'
import { createNode } from '../src/node/index.ts'
import { tmpDir } from '../test/helpers/tmp-dir.ts'
import { QUICK, reportGoals, times } from './goals.ts'
import { voteBurst } from './governance-burst.ts'

const SETTINGS = {
  votingDelay: 300,
  votingPeriod: 3_600,
  proposalThreshold: 0n,
  quorumPercent: 40n,
  timelockDelay: 600n,
}

export interface BenchRow {
  name: string
  ms: number
  ratio?: number
  goal?: string
  met?: boolean
}

/** Runs the governance benchmark and returns its rows. */
export async function runGovernanceBench(rounds = 3): Promise<BenchRow[]> {
  await using dir = await tmpDir('commons-bench-')
  const t0 = performance.now()
  const node = await createNode(
    {
      dataDir: dir.path,
      config: { api: { port: 0 }, demo: false },
    },
    { log: createLogger(process.env.COMMONS_LOG_LEVEL ?? 'error') },
  )
  const coldStartMs = performance.now() - t0
  const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim()
  const devnet = node.devnet!
  const warp = (s: number) => devnet.warp(s)

  // Owners: local accounts for the API path, the same keys for the bare path.
  const { Keystore } = await import('../src/node/keystore.ts')
  const keystore = new Keystore({ dir: join(dir.path, 'accounts') })
  const owners = await Promise.all(['o1', 'o2', 'o3'].map((n) => keystore.create(n)))
  for (const o of owners) await devnet.fund(o.address, parseEther('1000'))

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${node.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const json = (await res.json()) as any
    if (!res.ok) throw new Error(`${method} ${path}: ${json.error?.message}`)
    return json
  }

  let seq = 0
  /** Content for the next lifecycle's version, stored before its timing starts (bare viem stores none). */
  async function stageContent(name: string): Promise<string> {
    const file = join(dir.path, `${name}.bin`)
    await writeFile(file, name)
    return (await api('POST', '/api/store/add', { path: file })).root
  }
  async function viaApi(staged?: { name: string; root: string }): Promise<void> {
    const name = staged?.name ?? `api-${seq++}`
    const root = staged?.root ?? (await stageContent(name))
    await api('POST', '/api/models', {
      account: 'node',
      name,
      owners: [
        { owner: 'o1', shares: 40 },
        { owner: 'o2', shares: 35 },
        { owner: 'o3', shares: 25 },
      ],
      settings: { ...SETTINGS, proposalThreshold: '0', quorumPercent: '40', timelockDelay: '600' },
    })
    // The node proposes only content it holds (and checks GGUF loads): an adapter file stored beforehand.
    const p = await api('POST', '/api/proposals', {
      account: 'o1',
      model: name,
      kind: 'publish-version',
      contentRoot: `0x${root}`,
      format: 'adapter',
      size: String(name.length),
    })
    await warp(SETTINGS.votingDelay + 1)
    await api('POST', `/api/proposals/${p.ref}/votes`, { account: 'o1', support: 'for' })
    await api('POST', `/api/proposals/${p.ref}/votes`, { account: 'o2', support: 'for' })
    await api('POST', `/api/proposals/${p.ref}/votes`, { account: 'o3', support: 'against' })
    await warp(SETTINGS.votingPeriod + 1)
    await api('POST', `/api/proposals/${p.ref}/queue`, { account: 'o1' })
    await warp(Number(SETTINGS.timelockDelay) + 1)
    const done = await api('POST', `/api/proposals/${p.ref}/execute`, { account: 'o1' })
    if (done.state !== 'executed') throw new Error('API lifecycle did not execute')
  }

  const bare = createChainAccess({ rpcUrl: devnet.rpcUrl, deployment: node.deployment })
  const pub = bare.reader.public
  const w = owners.map((o) => bare.writer(o))
  const deployer = bare.writer(privateKeyToAccount(generatePrivateKey()))
  await devnet.fund(deployer.wallet.account.address, parseEther('1000'))
  async function send(writer: (typeof w)[number], req: Parameters<typeof pub.simulateContract>[0]) {
    const { request } = await pub.simulateContract({ ...req, account: writer.wallet.account } as never)
    const hash = await writer.wallet.writeContract(request as never)
    return pub.waitForTransactionReceipt({ hash })
  }
  async function viaViem(): Promise<void> {
    const name = `viem-${seq++}`
    const registry = { address: node.deployment.modelRegistry, abi: ModelRegistry.abi } as const
    const created = await send(deployer, {
      ...registry,
      functionName: 'createModel',
      args: [
        {
          name,
          symbol: 'B',
          cardURI: '',
          owners: owners.map((o) => o.address),
          amounts: [parseEther('40'), parseEther('35'), parseEther('25')],
          settings: SETTINGS,
        },
      ],
    })
    const [ev] = parseEventLogs({ abi: ModelRegistry.abi, logs: created.logs, eventName: 'ModelCreated' })
    const { modelId, governor } = ev!.args
    const root = keccak256(toBytes(name))
    await send(w[0]!, {
      ...registry,
      functionName: 'proposeVersion',
      args: [modelId, root, 'gguf', 1000n, ''],
    })
    const { encodeFunctionData } = await import('viem')
    const calldata = encodeFunctionData({
      abi: ModelRegistry.abi,
      functionName: 'publishVersion',
      args: [modelId, 1n],
    })
    const g = { address: governor, abi: ModelGovernor.abi } as const
    const description = `Publish ${name}`
    const proposed = await send(w[0]!, {
      ...g,
      functionName: 'propose',
      args: [[node.deployment.modelRegistry], [0n], [calldata], description],
    })
    const [pe] = parseEventLogs({ abi: ModelGovernor.abi, logs: proposed.logs, eventName: 'ProposalCreated' })
    const id = pe!.args.proposalId
    await warp(SETTINGS.votingDelay + 1)
    await send(w[0]!, { ...g, functionName: 'castVoteWithReason', args: [id, 1, ''] })
    await send(w[1]!, { ...g, functionName: 'castVoteWithReason', args: [id, 1, ''] })
    await send(w[2]!, { ...g, functionName: 'castVoteWithReason', args: [id, 0, ''] })
    await warp(SETTINGS.votingPeriod + 1)
    const args = [[node.deployment.modelRegistry], [0n], [calldata], keccak256(toBytes(description))] as const
    await send(w[0]!, { ...g, functionName: 'queue', args })
    await warp(Number(SETTINGS.timelockDelay) + 1)
    await send(w[0]!, { ...g, functionName: 'execute', args })
    const state = await pub.readContract({ ...g, functionName: 'state', args: [id] })
    if (state !== 7) throw new Error('viem lifecycle did not execute')
  }

  // Warm up both paths once (JIT, tsx transforms), then interleave to share the machine's noise.
  await viaApi()
  await viaViem()
  const apiTimes: number[] = []
  const viemTimes: number[] = []
  for (let i = 0; i < rounds; i++) {
    let t = performance.now()
    await viaViem()
    viemTimes.push(performance.now() - t)
    const name = `api-${seq++}`
    const staged = { name, root: await stageContent(name) }
    t = performance.now()
    await viaApi(staged)
    apiTimes.push(performance.now() - t)
  }
  // Many members at once: 100 accounts of this node vote concurrently, through the API and with bare viem.
  const burstVoters = QUICK ? 20 : 100
  const names = Array.from({ length: burstVoters }, (_, i) => `voter${i}`)
  const voters = await Promise.all(names.map((n) => keystore.create(n)))
  await Promise.all(voters.map((v) => devnet.fund(v.address, parseEther('10'))))
  const burst = await voteBurst({
    voters,
    names,
    access: bare,
    deployment: node.deployment,
    warp,
    api,
    settings: SETTINGS,
  })
  // Where the time goes: the durability cost of one confirmed transaction (journal line + fdatasync).
  const journalTimes: number[] = []
  for (let i = 0; i < 9; i++) {
    const t = performance.now()
    await devnet.fund(owners[0]!.address, parseEther('1000'))
    journalTimes.push(performance.now() - t)
  }
  await node.stop()

  const t1 = performance.now()
  const restarted = await createNode(
    {
      dataDir: dir.path,
      config: { api: { port: 0 }, demo: false },
    },
    { log: createLogger(process.env.COMMONS_LOG_LEVEL ?? 'error') },
  )
  const warmStartMs = performance.now() - t1
  await restarted.stop()

  const viemMs = median(viemTimes)
  const apiMs = median(apiTimes)
  const overhead = apiMs / viemMs
  return [
    { name: 'lifecycle, bare viem (baseline)', ms: viemMs, ratio: 1 },
    {
      name: 'lifecycle, our API (persisted)',
      ms: apiMs,
      ratio: overhead,
      goal: '<= 1.2x',
      met: overhead <= 1.2,
    },
    { name: 'of which: journal append + fdatasync, per tx (x9)', ms: median(journalTimes) },
    {
      name: `${burst.voters} votes at once, bare viem: ${burst.viem.toFixed(0)} votes/s`,
      ms: (1000 * burst.voters) / burst.viem,
      ratio: 1,
    },
    {
      name: `${burst.voters} votes at once, our API: ${burst.api.toFixed(0)} votes/s (rate vs viem)`,
      ms: (1000 * burst.voters) / burst.api,
      ratio: burst.api / burst.viem,
    },
    { name: 'node cold start to ready (fresh data dir, deploys)', ms: coldStartMs },
    { name: 'node start to ready (existing data dir)', ms: warmStartMs },
  ]
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** Prints rows as a table. */
export function printRows(title: string, rows: BenchRow[]): void {
  console.log(`\n${title}`)
  for (const r of rows) {
    const ratio = r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`
    const goal = r.goal ? `goal ${r.goal} ${r.met ? 'met' : 'NOT met'}` : ''
    console.log(`  ${r.name.padEnd(52)} ${r.ms.toFixed(1).padStart(9)} ms  ${ratio.padStart(6)}  ${goal}`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runGovernanceBench(Number(process.argv[2] ?? (QUICK ? 1 : 3)))
  printRows('governance', rows)
  reportGoals(
    rows
      .filter((r) => r.goal !== undefined)
      .map((r) => ({
        bench: 'governance',
        goal: `${r.name} ${r.goal}`,
        figure: times(r.ratio!),
        met: r.met === true,
      })),
  )
}
