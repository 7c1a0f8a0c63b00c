// Many members voting at once: `voters` accounts of one node cast their votes on one proposal concurrently
// through the node's API, against the same accounts sending the same votes with bare viem on a twin
// proposal of the same model, on the same anvil. Prints votes per second of each and the ratio. Several rounds,
// each on a fresh model, alternating which path goes first; the figure is the median of each.
import { encodeFunctionData, keccak256, parseEther, parseEventLogs, toBytes } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { ModelGovernor, ModelRegistry, ModelShares } from '../src/chain/generated/artifacts.ts'
import { awaitLocalReceipt, type Deployment } from '../src/chain/index.ts'
import type { createChainAccess } from '../src/node/chain-clients.ts'
import type { StepSample, stepTimer } from './step-census.ts'

/** What the burst needs from the governance bench's setup. */
export interface BurstSetup {
  voters: PrivateKeyAccount[]
  /** Names of the voters' accounts in the node's keystore, same order. */
  names: string[]
  access: ReturnType<typeof createChainAccess>
  deployment: Deployment
  warp(seconds: number): Promise<unknown>
  api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>
  settings: {
    votingDelay: number
    votingPeriod: number
    proposalThreshold: bigint
    quorumPercent: bigint
    timelockDelay: bigint
  }
  /** Rounds (a fresh model each). */
  rounds: number
  /** Journals every block mined so far (untimed, so one path's blocks are not charged to the other). */
  journalHead(): Promise<void>
  /** Times a named step with its CPU and JSON-RPC calls (bench/step-census.ts). */
  step: ReturnType<typeof stepTimer>
  /** Where each path's steps are recorded. */
  census: Map<string, StepSample[]>
}

/** Votes per second of each path, one round's. */
interface BurstRates {
  api: number
  viem: number
  /** Bare viem with the receipt asked for the way our path asks (viem's own wait polls every 50 ms). */
  viemFast: number
}

/** Votes per second through the API and with bare viem (medians over rounds), `voters` votes at once each. */
export async function voteBurst(s: BurstSetup): Promise<BurstRates & { voters: number } & Ratios> {
  const rounds: BurstRates[] = []
  for (let r = 0; r < s.rounds; r++) {
    const rates = await burstRound(s, r)
    rounds.push(rates)
    console.log(
      `  burst round ${r + 1}: API ${rates.api.toFixed(0)} votes/s, bare viem ${rates.viem.toFixed(0)} (${(rates.api / rates.viem).toFixed(2)}x), ` +
        `bare viem with our receipt wait ${rates.viemFast.toFixed(0)} (${(rates.api / rates.viemFast).toFixed(2)}x)`,
    )
  }
  return {
    api: median(rounds.map((r) => r.api)),
    viem: median(rounds.map((r) => r.viem)),
    viemFast: median(rounds.map((r) => r.viemFast)),
    ratio: median(rounds.map((r) => r.api / r.viem)),
    ratioFast: median(rounds.map((r) => r.api / r.viemFast)),
    voters: s.voters.length,
  }
}

/** Medians of the per-round ratios of the API's rate to each bare path's. */
interface Ratios {
  ratio: number
  ratioFast: number
}

function median(xs: number[]): number {
  const v = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(v.length / 2)
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
}

async function burstRound(s: BurstSetup, round: number): Promise<BurstRates> {
  const pub = s.access.reader.public
  const writers = s.voters.map((v) => s.access.writer(v))
  const send = async (i: number, req: Parameters<typeof pub.simulateContract>[0], fast = false) => {
    const w = writers[i]!
    const { request } = await pub.simulateContract({ ...req, account: w.wallet.account } as never)
    const hash = await w.wallet.writeContract(request as never)
    const wait = fast
      ? awaitLocalReceipt(pub, hash)
      : pub.waitForTransactionReceipt({ hash, timeout: 20_000 })
    const receipt = await wait.catch(async (err) => {
      const tx = await pub.getTransaction({ hash }).catch(() => undefined)
      const head = await pub.getBlock()
      const address = w.wallet.account.address
      const nonces = [
        await pub.getTransactionCount({ address, blockTag: 'latest' }),
        await pub.getTransactionCount({ address, blockTag: 'pending' }),
      ]
      const pool = await pub.request({ method: 'txpool_inspect' as never }).catch((e) => String(e))
      console.error('STUCK', String((req as { functionName: string }).functionName), 'voter', i, {
        nonce: tx?.nonce,
        maxFee: tx?.maxFeePerGas,
        prio: tx?.maxPriorityFeePerGas,
        gas: tx?.gas,
        block: tx?.blockNumber,
        headNumber: head.number,
        baseFee: head.baseFeePerGas,
        nonces,
        pool: JSON.stringify(pool, (_, v) => (typeof v === 'bigint' ? v.toString() : v)).slice(0, 2000),
      })
      throw err
    })
    if (receipt.status !== 'success') {
      const tx = await pub.getTransaction({ hash })
      throw new Error(
        `${String((req as { functionName: string }).functionName)} from voter ${i} reverted on chain in block ${receipt.blockNumber}: gas used ${receipt.gasUsed} of ${tx.gas}`,
      )
    }
    return receipt
  }
  // The registry takes at most 64 initial owners: the first 64 get shares, then hand some to the others
  // (shares self-delegate on receipt, so every voter has voting power at the snapshot).
  const registry = { address: s.deployment.modelRegistry, abi: ModelRegistry.abi } as const
  const initial = s.voters.slice(0, Math.min(64, s.voters.length))
  const name = `burst-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`
  const created = await send(0, {
    ...registry,
    functionName: 'createModel',
    args: [
      {
        name,
        symbol: 'V',
        cardURI: '',
        owners: initial.map((v) => v.address),
        amounts: initial.map(() => parseEther('10')),
        settings: s.settings,
      },
    ],
  })
  const [ev] = parseEventLogs({ abi: ModelRegistry.abi, logs: created.logs, eventName: 'ModelCreated' })
  const { modelId, governor, shares } = ev!.args
  // Setup, not measured: one transfer after another.
  for (const [k, v] of s.voters.slice(64).entries()) {
    await send(k, {
      address: shares,
      abi: ModelShares.abi,
      functionName: 'transfer',
      args: [v.address, parseEther('5')],
    })
  }
  // Twin proposals, one per path, so each voter casts one vote on each.
  const proposals: bigint[] = []
  for (const tag of ['api', 'viem', 'viem-fast']) {
    const calldata = encodeFunctionData({
      abi: ModelRegistry.abi,
      functionName: 'setAllowed',
      args: [modelId, s.voters[0]!.address, tag === 'api'],
    })
    const r = await send(0, {
      address: governor,
      abi: ModelGovernor.abi,
      functionName: 'propose',
      args: [[s.deployment.modelRegistry], [0n], [calldata], `burst ${tag} ${keccak256(toBytes(name))}`],
    })
    const [pe] = parseEventLogs({ abi: ModelGovernor.abi, logs: r.logs, eventName: 'ProposalCreated' })
    proposals.push(pe!.args.proposalId)
  }
  await s.warp(s.settings.votingDelay + 1)
  // A proposal's ref is `<model id>.<its index in the model>`: the API's proposal is the model's first.
  const apiRef = `${modelId}.1`

  const viaApi = async () => {
    const t = performance.now()
    await Promise.all(
      s.names.map((account) => s.api('POST', `/api/proposals/${apiRef}/votes`, { account, support: 'for' })),
    )
    return (performance.now() - t) / 1000
  }
  const viaViem = async (fast: boolean) => {
    const t = performance.now()
    await Promise.all(
      s.voters.map((_, i) =>
        send(
          i,
          {
            address: governor,
            abi: ModelGovernor.abi,
            functionName: 'castVoteWithReason',
            args: [proposals[fast ? 2 : 1]!, 1, ''],
          },
          fast,
        ),
      ),
    )
    return (performance.now() - t) / 1000
  }
  await s.journalHead()
  // Rotate which path goes first, round by round.
  const paths = [viaApi, () => viaViem(false), () => viaViem(true)]
  const names = ['API', 'bare viem', 'bare viem, our receipt wait']
  const seconds: number[] = []
  for (let k = 0; k < paths.length; k++) {
    const p = (round + k) % paths.length
    seconds[p] = await s.step(s.census, names[p]!, paths[p]!)
    // The node journals every block: catch up untimed, so the next path is not charged for these.
    await s.journalHead()
  }
  const rate = (sec: number) => s.voters.length / sec
  return { api: rate(seconds[0]!), viem: rate(seconds[1]!), viemFast: rate(seconds[2]!) }
}
