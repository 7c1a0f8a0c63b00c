import { executeProposal, queueProposal } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'
import { proposalDto } from './dtos.ts'
import { readAlongside, statusAfterWrite } from './read-alongside.ts'
import { explainRefusal } from './refusals.ts'
import { type ProposalStepInput, parseInput, proposalStepInput } from './schemas.ts'

/** Queues a passed proposal in the model's timelock. A refusal says what state it is in. */
export function queue(c: GovernanceContext, input: ProposalStepInput) {
  return advance(c, input, queueProposal)
}

/** Executes a queued proposal once the timelock delay has passed. A refusal says when it can run. */
export function execute(c: GovernanceContext, input: ProposalStepInput) {
  return advance(c, input, executeProposal)
}

async function advance(
  c: GovernanceContext,
  input: ProposalStepInput,
  step: typeof queueProposal | typeof executeProposal,
) {
  const p = parseInput(proposalStepInput, input)
  const created = await c.directory.proposal(p.proposal)
  const status = readAlongside(await c.writerFor(p.account), () => statusAfterWrite(c, created))
  const tx = await step(status.writer, created).catch((err) => explainRefusal(c, err, created))
  return { ...proposalDto(await status.result()), transactionHash: tx }
}
