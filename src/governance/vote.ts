import { castVote } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'
import { proposalDto } from './dtos.ts'
import { readAlongside, statusAfterWrite } from './read-alongside.ts'
import { explainRefusal } from './refusals.ts'
import { parseInput, type VoteInput, voteInput } from './schemas.ts'

/** Casts a ballot (for, against, abstain) with an optional reason. A refusal says when voting is possible. */
export async function vote(c: GovernanceContext, input: VoteInput) {
  const p = parseInput(voteInput, input)
  const created = await c.directory.proposal(p.proposal)
  const status = readAlongside(await c.writerFor(p.account), () => statusAfterWrite(c, created))
  const voter = status.writer.wallet.account.address
  // Send straight away (the simulation inside refuses without sending); explain a refusal afterwards.
  const tx = await castVote(status.writer, {
    governor: created.governor,
    proposalId: created.id,
    support: p.support,
    reason: p.reason,
  }).catch((err) => explainRefusal(c, err, created, voter))
  return { ...proposalDto(await status.result()), transactionHash: tx, voter }
}
