import { parseEventLogs } from 'viem'
import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelGovernor } from '../generated/artifacts.ts'

/** One ballot cast on a proposal. */
export interface VoteRecord {
  voter: `0x${string}`
  support: 'against' | 'for' | 'abstain' | 'unknown'
  weight: bigint
  reason: string
  transactionHash: `0x${string}`
}

/** The ballots cast on a proposal of a governor, oldest first (VoteCast events since deployment). */
export async function listVotes(
  c: ChainReader,
  p: { governor: `0x${string}`; proposalId: bigint },
): Promise<VoteRecord[]> {
  try {
    const logs = await c.public.getLogs({
      address: p.governor,
      fromBlock: BigInt(c.deployment.deployedAtBlock),
    })
    return parseEventLogs({ abi: ModelGovernor.abi, logs, eventName: 'VoteCast' })
      .filter((e) => e.args.proposalId === p.proposalId)
      .map((e) => ({
        voter: e.args.voter,
        support: (['against', 'for', 'abstain'] as const)[e.args.support] ?? 'unknown',
        weight: e.args.weight,
        reason: e.args.reason,
        transactionHash: e.transactionHash,
      }))
  } catch (err) {
    throw translateChainError(err, 'Reading the votes of a proposal')
  }
}
