import { parseEventLogs } from 'viem'
import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelGovernor } from '../generated/artifacts.ts'
import { describeCall } from '../proposal-calls.ts'
import { PROPOSAL_STATES, type ProposalInfo } from '../types.ts'

/** Lists a model's proposals with their current state and tallies, oldest first. */
export async function listProposals(
  c: ChainReader,
  model: { id: bigint; governor: `0x${string}` },
): Promise<ProposalInfo[]> {
  try {
    const logs = await c.public.getLogs({
      address: model.governor,
      fromBlock: BigInt(c.deployment.deployedAtBlock),
      toBlock: 'latest',
    })
    const created = parseEventLogs({ abi: ModelGovernor.abi, logs, eventName: 'ProposalCreated' })
    const governor = { address: model.governor, abi: ModelGovernor.abi } as const
    return await Promise.all(
      created.map(async (e, i) => {
        const a = e.args
        const [state, votes, eta] = await Promise.all([
          c.public.readContract({ ...governor, functionName: 'state', args: [a.proposalId] }),
          c.public.readContract({ ...governor, functionName: 'proposalVotes', args: [a.proposalId] }),
          c.public.readContract({ ...governor, functionName: 'proposalEta', args: [a.proposalId] }),
        ])
        const quorum = await quorumAt(c, model.governor, a.voteStart)
        return {
          id: a.proposalId,
          ref: `${model.id}.${i + 1}`,
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
          state: PROPOSAL_STATES[state] ?? 'pending',
          votes: { against: votes[0], for: votes[1], abstain: votes[2] },
          quorum,
          eta,
        } satisfies ProposalInfo
      }),
    )
  } catch (err) {
    throw translateChainError(err, `Listing proposals of model ${model.id}`)
  }
}

/** Quorum at the snapshot; before the snapshot has passed the governor cannot answer, so use now. */
async function quorumAt(c: ChainReader, governor: `0x${string}`, voteStart: bigint): Promise<bigint> {
  const block = await c.public.getBlock()
  const t = voteStart < block.timestamp ? voteStart : block.timestamp - 1n
  return c.public.readContract({ address: governor, abi: ModelGovernor.abi, functionName: 'quorum', args: [t] })
}
