import { parseEventLogs } from 'viem'
import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelGovernor } from '../generated/artifacts.ts'
import { describeCall } from '../proposal-calls.ts'
import { PROPOSAL_STATES, type ProposalInfo } from '../types.ts'

/** What never changes about a proposal: what ProposalCreated said. */
export type ProposalCreated = Omit<ProposalInfo, 'state' | 'votes' | 'quorum' | 'constitutional' | 'eta'>

/** Reads the proposals a governor created in a block range, in creation order. */
export async function readProposalsCreated(
  c: ChainReader,
  model: { id: bigint; governor: `0x${string}` },
  range: { fromBlock: bigint; toBlock: bigint; firstIndex: number },
): Promise<ProposalCreated[]> {
  try {
    const logs = await c.public.getLogs({
      address: model.governor,
      fromBlock: range.fromBlock,
      toBlock: range.toBlock,
    })
    return parseEventLogs({ abi: ModelGovernor.abi, logs, eventName: 'ProposalCreated' }).map((e, i) => {
      const a = e.args
      return {
        id: a.proposalId,
        ref: `${model.id}.${range.firstIndex + i + 1}`,
        modelId: model.id,
        governor: model.governor,
        proposer: a.proposer,
        description: a.description,
        targets: [...a.targets],
        values: [...a.values],
        calldatas: [...a.calldatas],
        actions: a.targets.map((t, j) => describeCall(t, a.values[j] ?? 0n, a.calldatas[j] ?? '0x')),
        voteStart: a.voteStart,
        voteEnd: a.voteEnd,
      }
    })
  } catch (err) {
    throw translateChainError(err, `Reading proposals of model ${model.id}`)
  }
}

/** Reads what changes about a proposal: state, tallies, timelock eta, quorum and its class. */
export async function readProposalStatus(c: ChainReader, p: ProposalCreated): Promise<ProposalInfo> {
  try {
    const governor = { address: p.governor, abi: ModelGovernor.abi } as const
    // A proposal's class is fixed at creation and its quorum once its snapshot has passed: read them once.
    let fixed = fixedFacts.get(c.public)
    if (fixed === undefined) {
      fixed = new Map()
      fixedFacts.set(c.public, fixed)
    }
    const key = `${p.governor}:${p.id}`
    const known = fixed.get(key)
    const [state, votes, eta, quorum, constitutional] = await Promise.all([
      c.public.readContract({ ...governor, functionName: 'state', args: [p.id] }),
      c.public.readContract({ ...governor, functionName: 'proposalVotes', args: [p.id] }),
      c.public.readContract({ ...governor, functionName: 'proposalEta', args: [p.id] }),
      known?.quorum ?? quorumAt(c, p.governor, p.voteStart),
      known?.constitutional ??
        c.public.readContract({ ...governor, functionName: 'proposalIsConstitutional', args: [p.id] }),
    ])
    if (known?.quorum === undefined) {
      // Before its snapshot a proposal reads the latest quorum instead: only a state past it fixes the quorum
      // (a proposal canceled while pending may not have passed it).
      const settled = !['pending', 'canceled', undefined].includes(PROPOSAL_STATES[state])
      if (fixed.size >= MAX_FIXED_FACTS) fixed.delete(fixed.keys().next().value!)
      fixed.set(key, { constitutional, ...(settled && { quorum }) })
    }
    return {
      ...p,
      state: PROPOSAL_STATES[state] ?? 'pending',
      votes: { against: votes[0], for: votes[1], abstain: votes[2] },
      quorum,
      constitutional,
      eta,
    }
  } catch (err) {
    throw translateChainError(err, `Reading proposal ${p.ref}`)
  }
}

/** Proposal facts that never change once known, per chain client (tests run several chains in a process). */
const fixedFacts = new WeakMap<object, Map<string, { constitutional: boolean; quorum?: bigint }>>()
const MAX_FIXED_FACTS = 4096

/** Quorum at the snapshot; before the snapshot has passed the governor cannot answer, so use the latest. */
async function quorumAt(c: ChainReader, governor: `0x${string}`, voteStart: bigint): Promise<bigint> {
  const g = { address: governor, abi: ModelGovernor.abi } as const
  try {
    return await c.public.readContract({ ...g, functionName: 'quorum', args: [voteStart] })
  } catch {
    const now = (await c.public.getBlock()).timestamp
    return c.public.readContract({ ...g, functionName: 'quorum', args: [now - 1n] })
  }
}

/** Lists a model's proposals with their current state and tallies, oldest first. */
export async function listProposals(
  c: ChainReader,
  model: { id: bigint; governor: `0x${string}` },
): Promise<ProposalInfo[]> {
  // Uncached: viem keeps the head for a polling interval, and a just-mined proposal must be found.
  const toBlock = await c.public.getBlockNumber({ cacheTime: 0 })
  const created = await readProposalsCreated(c, model, {
    fromBlock: BigInt(c.deployment.deployedAtBlock),
    toBlock,
    firstIndex: 0,
  })
  return Promise.all(created.map((p) => readProposalStatus(c, p)))
}
