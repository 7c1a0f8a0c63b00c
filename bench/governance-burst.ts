// Many members voting at once: `voters` accounts of one node cast their votes on one proposal concurrently
// through the node's API, against the same accounts sending the same votes with bare viem on a twin
// proposal of the same model, on the same anvil. Prints votes per second of each and the ratio.
import { encodeFunctionData, keccak256, parseEther, parseEventLogs, toBytes } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { ModelGovernor, ModelRegistry, ModelShares } from '../src/chain/generated/artifacts.ts'
import type { Deployment } from '../src/chain/index.ts'
import type { createChainAccess } from '../src/node/chain-clients.ts'

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
}

/** Votes per second through the API and with bare viem, `voters` votes at once each. */
export async function voteBurst(s: BurstSetup): Promise<{ api: number; viem: number; voters: number }> {
  const pub = s.access.reader.public
  const writers = s.voters.map((v) => s.access.writer(v))
  const send = async (i: number, req: Parameters<typeof pub.simulateContract>[0]) => {
    const w = writers[i]!
    const { request } = await pub.simulateContract({ ...req, account: w.wallet.account } as never)
    const hash = await w.wallet.writeContract(request as never)
    const receipt = await pub.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new Error('a bare vote reverted')
    return receipt
  }
  // The registry takes at most 64 initial owners: the first 64 get shares, then hand some to the others
  // (shares self-delegate on receipt, so every voter has voting power at the snapshot).
  const registry = { address: s.deployment.modelRegistry, abi: ModelRegistry.abi } as const
  const initial = s.voters.slice(0, Math.min(64, s.voters.length))
  const name = `burst-${Date.now()}`
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
  // Two twin proposals, one per path, so each voter casts one vote on each.
  const proposals: bigint[] = []
  for (const tag of ['api', 'viem']) {
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

  let t = performance.now()
  await Promise.all(
    s.names.map((account) => s.api('POST', `/api/proposals/${apiRef}/votes`, { account, support: 'for' })),
  )
  const apiSeconds = (performance.now() - t) / 1000
  t = performance.now()
  await Promise.all(
    s.voters.map((_, i) =>
      send(i, {
        address: governor,
        abi: ModelGovernor.abi,
        functionName: 'castVoteWithReason',
        args: [proposals[1]!, 1, ''],
      }),
    ),
  )
  const viemSeconds = (performance.now() - t) / 1000
  return { api: s.voters.length / apiSeconds, viem: s.voters.length / viemSeconds, voters: s.voters.length }
}
