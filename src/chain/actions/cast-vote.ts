import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { ModelGovernor } from '../generated/artifacts.ts'

export const VOTE_SUPPORT = { against: 0, for: 1, abstain: 2 } as const
export type VoteChoice = keyof typeof VOTE_SUPPORT

/** Casts the sender's vote, with an optional reason recorded on chain. */
export async function castVote(
  c: ChainWriter,
  p: { governor: `0x${string}`; proposalId: bigint; support: VoteChoice; reason?: string },
): Promise<`0x${string}`> {
  const receipt = await confirmTransaction(c, 'Casting the vote', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: p.governor,
      abi: ModelGovernor.abi,
      functionName: 'castVoteWithReason',
      args: [p.proposalId, VOTE_SUPPORT[p.support], p.reason ?? ''],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
