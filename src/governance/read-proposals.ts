import { listVotes, readProposalStatus } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'
import { proposalDto, voteDto } from './dtos.ts'

/** Proposals with state and tallies, of one model or of all. */
export async function listProposals(c: GovernanceContext, modelIdOrName?: string) {
  const models = await c.directory.models(modelIdOrName)
  const all = await Promise.all(
    models.map(async (m) =>
      Promise.all((await c.directory.proposals.all(m)).map((x) => readProposalStatus(c.reader, x))),
    ),
  )
  return all.flat().map(proposalDto)
}

/** One proposal by reference (`1.2`) or full id. Throws ProposalNotFoundError. */
export async function showProposal(c: GovernanceContext, idOrRef: string) {
  return proposalDto(await readProposalStatus(c.reader, await c.directory.proposal(idOrRef)))
}

/** The ballots cast on a proposal. */
export async function listProposalVotes(c: GovernanceContext, idOrRef: string) {
  const p = await c.directory.proposal(idOrRef)
  return (await listVotes(c.reader, { governor: p.governor, proposalId: p.id })).map(voteDto)
}
