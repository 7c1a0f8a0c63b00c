// Governance benchmark: the full lifecycle through our API (HTTP → zod → Governance → viem → persist)
// versus the same transactions sent with bare viem, on the same anvil, in one run; plus node cold start.
// The two paths alternate round by round (API first in even rounds, bare viem first in odd ones), so a slow
// stretch of a shared machine hits both; each step is timed on its own (the devnet time warps between steps
// are not timed, for either path) with its CPU time, anvil's CPU time and its JSON-RPC calls.
// Run: node --import tsx bench/governance.ts [rounds] [burst rounds]
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { encodeFunctionData, keccak256, parseEther, parseEventLogs, toBytes } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { ModelGovernor, ModelRegistry } from '../src/chain/generated/artifacts.ts'
import { awaitLocalReceipt } from '../src/chain/index.ts'
import { createLogger } from '../src/log.ts'
import { createChainAccess } from '../src/node/chain-clients.ts'
import { createNode } from '../src/node/index.ts'
import { tmpDir } from '../test/helpers/tmp-dir.ts'
import { QUICK, reportGoals, times } from './goals.ts'
import { voteBurst } from './governance-burst.ts'
import { lifecycleTotals, median, rpcSummary, type StepSample, stepTimer } from './step-census.ts'

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
export async function runGovernanceBench(rounds = 9, burstRounds = 3): Promise<BenchRow[]> {
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
  const anvilPid = Number((await readFile(join(dir.path, 'chain', 'anvil.pid'), 'utf8')).trim())
  const step = stepTimer(Number.isSafeInteger(anvilPid) ? anvilPid : undefined)

  // Owners: local accounts for the API path, the same keys for the bare path.
  const { Keystore } = await import('../src/node/keystore.ts')
  const keystore = new Keystore({ dir: join(dir.path, 'accounts') })
  const owners = await Promise.all(['o1', 'o2', 'o3'].map((n) => keystore.create(n)))
  for (const o of owners) await devnet.fund(o.address, parseEther('1000'))

  // Node's fetch keeps connections alive (undici's pool): every call after the first reuses one.
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
  async function viaApi(steps: Map<string, StepSample[]>): Promise<void> {
    const name = `api-${seq++}`
    const root = await stageContent(name)
    await step(steps, 'create model', () =>
      api('POST', '/api/models', {
        account: 'node',
        name,
        owners: [
          { owner: 'o1', shares: 40 },
          { owner: 'o2', shares: 35 },
          { owner: 'o3', shares: 25 },
        ],
        settings: { ...SETTINGS, proposalThreshold: '0', quorumPercent: '40', timelockDelay: '600' },
      }),
    )
    // The node proposes only content it holds (and checks GGUF loads): an adapter file stored beforehand.
    const p = await step(steps, 'record version + propose', () =>
      api('POST', '/api/proposals', {
        account: 'o1',
        model: name,
        kind: 'publish-version',
        contentRoot: `0x${root}`,
        format: 'adapter',
        size: String(name.length),
      }),
    )
    await warp(SETTINGS.votingDelay + 1)
    const ballots = [
      ['o1', 'for'],
      ['o2', 'for'],
      ['o3', 'against'],
    ] as const
    for (const [i, [account, support]] of ballots.entries())
      await step(steps, `vote ${i + 1}`, () =>
        api('POST', `/api/proposals/${p.ref}/votes`, { account, support }),
      )
    await warp(SETTINGS.votingPeriod + 1)
    await step(steps, 'queue', () => api('POST', `/api/proposals/${p.ref}/queue`, { account: 'o1' }))
    await warp(Number(SETTINGS.timelockDelay) + 1)
    const done = await step(steps, 'execute', () =>
      api('POST', `/api/proposals/${p.ref}/execute`, { account: 'o1' }),
    )
    if (done.state !== 'executed') throw new Error('API lifecycle did not execute')
  }

  const bare = createChainAccess({ rpcUrl: devnet.rpcUrl, deployment: node.deployment })
  const pub = bare.reader.public
  const w = owners.map((o) => bare.writer(o))
  const deployer = bare.writer(privateKeyToAccount(generatePrivateKey()))
  await devnet.fund(deployer.wallet.account.address, parseEther('1000'))
  // Bare viem as written by hand (simulate, write, waitForTransactionReceipt), or with the receipt asked for
  // the way our path asks (`fastReceipt`): viem's wait asks once, then waits a polling interval (50 ms).
  let fastReceipt = false
  async function send(writer: (typeof w)[number], req: Parameters<typeof pub.simulateContract>[0]) {
    const { request } = await pub.simulateContract({ ...req, account: writer.wallet.account } as never)
    const hash = await writer.wallet.writeContract(request as never)
    return fastReceipt ? awaitLocalReceipt(pub, hash) : pub.waitForTransactionReceipt({ hash })
  }
  async function viaViemFast(steps: Map<string, StepSample[]>): Promise<void> {
    fastReceipt = true
    try {
      await viaViem(steps)
    } finally {
      fastReceipt = false
    }
  }
  async function viaViem(steps: Map<string, StepSample[]>): Promise<void> {
    const name = `viem-${seq++}`
    const registry = { address: node.deployment.modelRegistry, abi: ModelRegistry.abi } as const
    const created = await step(steps, 'create model', () =>
      send(deployer, {
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
      }),
    )
    const [ev] = parseEventLogs({ abi: ModelRegistry.abi, logs: created.logs, eventName: 'ModelCreated' })
    const { modelId, governor } = ev!.args
    const g = { address: governor, abi: ModelGovernor.abi } as const
    const description = `Publish ${name}`
    const calldata = encodeFunctionData({
      abi: ModelRegistry.abi,
      functionName: 'publishVersion',
      args: [modelId, 1n],
    })
    const proposed = await step(steps, 'record version + propose', async () => {
      await send(w[0]!, {
        ...registry,
        functionName: 'proposeVersion',
        args: [modelId, keccak256(toBytes(name)), 'gguf', 1000n, ''],
      })
      return send(w[0]!, {
        ...g,
        functionName: 'propose',
        args: [[node.deployment.modelRegistry], [0n], [calldata], description],
      })
    })
    const [pe] = parseEventLogs({ abi: ModelGovernor.abi, logs: proposed.logs, eventName: 'ProposalCreated' })
    const id = pe!.args.proposalId
    await warp(SETTINGS.votingDelay + 1)
    for (const [i, support] of [1, 1, 0].entries())
      await step(steps, `vote ${i + 1}`, () =>
        send(w[i]!, { ...g, functionName: 'castVoteWithReason', args: [id, support, ''] }),
      )
    await warp(SETTINGS.votingPeriod + 1)
    const args = [[node.deployment.modelRegistry], [0n], [calldata], keccak256(toBytes(description))] as const
    await step(steps, 'queue', () => send(w[0]!, { ...g, functionName: 'queue', args }))
    await warp(Number(SETTINGS.timelockDelay) + 1)
    await step(steps, 'execute', () => send(w[0]!, { ...g, functionName: 'execute', args }))
    const state = await pub.readContract({ ...g, functionName: 'state', args: [id] })
    if (state !== 7) throw new Error('viem lifecycle did not execute')
    // The node journals every block: catch up on this path's last one untimed, not in the API's next step.
    await devnet.journalHead()
  }

  // Warm up every path once (JIT, tsx transforms), then rotate which goes first, round by round.
  const apiSteps = new Map<string, StepSample[]>()
  const viemSteps = new Map<string, StepSample[]>()
  const fastSteps = new Map<string, StepSample[]>()
  const paths = [() => viaApi(apiSteps), () => viaViem(viemSteps), () => viaViemFast(fastSteps)]
  await viaApi(new Map())
  await viaViem(new Map())
  await viaViemFast(new Map())
  for (let i = 0; i < rounds; i++)
    for (let k = 0; k < paths.length; k++) await paths[(i + k) % paths.length]!()
  printSteps('bare viem', apiSteps, viemSteps)
  printSteps('bare viem, receipt asked like ours', apiSteps, fastSteps)
  // Many members at once: 100 accounts of this node vote concurrently, through the API and with bare viem.
  const burstVoters = QUICK ? 20 : 100
  const names = Array.from({ length: burstVoters }, (_, i) => `voter${i}`)
  const voters = await Promise.all(names.map((n) => keystore.create(n)))
  await Promise.all(voters.map((v) => devnet.fund(v.address, parseEther('10'))))
  const burstSteps = new Map<string, StepSample[]>()
  const burst = await voteBurst({
    voters,
    names,
    access: bare,
    deployment: node.deployment,
    warp,
    api,
    settings: SETTINGS,
    rounds: burstRounds,
    journalHead: () => devnet.journalHead(),
    step,
    census: burstSteps,
  })
  console.log('\nburst, per path (median CPU of this process and of anvil; JSON-RPC calls of the last round)')
  for (const [name, samples] of burstSteps)
    console.log(
      `  ${name.padEnd(28)} cpu ${median(samples.map((x) => x.cpuMs)).toFixed(0)} ms, anvil ${median(samples.map((x) => x.anvilCpuMs)).toFixed(0)} ms  rpc ${rpcSummary(samples)}`,
    )
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

  const apiTotals = lifecycleTotals(apiSteps)
  const viemTotals = lifecycleTotals(viemSteps)
  const fastTotals = lifecycleTotals(fastSteps)
  const pairRatio = median(apiTotals.map((a, i) => a / viemTotals[i]!))
  const fastRatio = median(apiTotals.map((a, i) => a / fastTotals[i]!))
  const cpu = (m: Map<string, StepSample[]>) => median(lifecycleTotals(m, 'cpuMs'))
  const anvilCpu = (m: Map<string, StepSample[]>) => median(lifecycleTotals(m, 'anvilCpuMs'))
  const viemMs = median(viemTotals)
  const apiMs = median(apiTotals)
  return [
    { name: `lifecycle, bare viem (median of ${rounds})`, ms: viemMs, ratio: 1 },
    { name: 'lifecycle, our API: ratio of medians', ms: apiMs, ratio: apiMs / viemMs },
    {
      name: 'lifecycle, our API: median of per-round ratios',
      ms: apiMs,
      ratio: pairRatio,
      goal: '<= 1.2x',
      met: pairRatio <= 1.2,
    },
    { name: 'lifecycle, bare viem, receipt asked like ours', ms: median(fastTotals), ratio: 1 },
    {
      name: 'lifecycle, our API vs that: median of per-round ratios',
      ms: apiMs,
      ratio: fastRatio,
      goal: '<= 1.2x (strict: same receipt wait)',
      met: fastRatio <= 1.2,
    },
    { name: 'lifecycle CPU, this process: bare viem', ms: cpu(viemSteps), ratio: 1 },
    {
      name: 'lifecycle CPU, this process: our API (node in-process)',
      ms: cpu(apiSteps),
      ratio: cpu(apiSteps) / cpu(viemSteps),
    },
    {
      name: 'lifecycle CPU, anvil: bare viem (ratio: our API / it)',
      ms: anvilCpu(viemSteps),
      ratio: anvilCpu(apiSteps) / Math.max(anvilCpu(viemSteps), 1),
    },
    {
      name: `${burst.voters} votes at once, bare viem: ${burst.viem.toFixed(0)} votes/s`,
      ms: (1000 * burst.voters) / burst.viem,
      ratio: 1,
    },
    {
      name: `${burst.voters} votes at once, our API: ${burst.api.toFixed(0)} votes/s (rate vs viem)`,
      ms: (1000 * burst.voters) / burst.api,
      ratio: burst.ratio,
    },
    {
      name: `${burst.voters} votes at once, bare viem, our receipt wait: ${burst.viemFast.toFixed(0)} votes/s`,
      ms: (1000 * burst.voters) / burst.viemFast,
      ratio: 1,
    },
    {
      name: `${burst.voters} votes at once, our API: rate vs that`,
      ms: (1000 * burst.voters) / burst.api,
      ratio: burst.ratioFast,
    },
    { name: 'node cold start to ready (fresh data dir, deploys)', ms: coldStartMs },
    { name: 'node start to ready (existing data dir)', ms: warmStartMs },
  ]
}

/** Per step: median wall time of each path, the ratio, and the JSON-RPC calls each made (last round). */
function printSteps(title: string, api: Map<string, StepSample[]>, viem: Map<string, StepSample[]>): void {
  console.log(
    `\nper step, our API vs ${title} (median ms, ratio; CPU of this process; JSON-RPC calls of the last round)`,
  )
  for (const [name, a] of api) {
    const v = viem.get(name) ?? []
    const am = median(a.map((s) => s.wallMs))
    const vm = median(v.map((s) => s.wallMs))
    console.log(
      `  ${name.padEnd(25)} ${am.toFixed(1).padStart(7)} ${vm.toFixed(1).padStart(7)} ${(am / vm).toFixed(2).padStart(6)}x  ` +
        `cpu ${median(a.map((s) => s.cpuMs)).toFixed(1)} | ${median(v.map((s) => s.cpuMs)).toFixed(1)} ms  ` +
        `rpc ${rpcSummary(a)} | ${rpcSummary(v)}`,
    )
  }
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
  const rows = await runGovernanceBench(
    Number(process.argv[2] ?? (QUICK ? 2 : 9)),
    Number(process.argv[3] ?? (QUICK ? 1 : 3)),
  )
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
