import { isAddress, isHex } from 'viem'
import { z } from 'zod'
import {
  ballotSigner,
  castVoteBySig,
  type ExtendedBallot,
  ProposalStateError,
  readBallot,
  readProposalStatus,
  readVoterStanding,
} from '../chain/index.ts'
import { InvalidInputError, PermissionDeniedError } from '../errors.ts'
import { MAX_REASON_CHARS } from './constants.ts'
import type { GovernanceContext } from './context.ts'
import { proposalDto } from './dtos.ts'
import { explainRefusal } from './refusals.ts'
import { parseInput } from './schemas.ts'

const voter = z
  .string()
  .trim()
  .refine((v) => isAddress(v, { strict: false }), 'the voter is not a valid address (0x and 40 hex digits)')
  .transform((v) => v.toLowerCase() as `0x${string}`)
const ballotFields = {
  proposal: z.string().regex(/^\d+(\.\d+)?$/, 'a proposal is named by its reference (e.g. 1.2) or full id'),
  voter,
  support: z.enum(['for', 'against', 'abstain'], { message: 'a vote is "for", "against" or "abstain"' }),
  reason: z.string().max(MAX_REASON_CHARS, `a reason is at most ${MAX_REASON_CHARS} characters`).default(''),
}

/** Ask for the ballot a wallet signs. */
export const ballotInput = z.object(ballotFields).strict()
/** A ballot signed by a wallet (EIP-712), for the node to relay. */
export const signedBallotInput = z
  .object({
    ...ballotFields,
    signature: z
      .string()
      .refine(
        (v) => isHex(v) && v.length === 132,
        'the signature is 65 bytes of hex (0x and 130 hex digits)',
      ),
  })
  .strict()
export type BallotInput = z.input<typeof ballotInput>
export type SignedBallotInput = z.input<typeof signedBallotInput>

/** The EIP-712 ballot as JSON (bigints as decimal strings), what `eth_signTypedData_v4` takes. */
export function ballotJson(b: ExtendedBallot) {
  return {
    domain: b.domain,
    types: { EIP712Domain: EIP712_DOMAIN_FIELDS, ...b.types },
    primaryType: b.primaryType,
    message: { ...b.message, proposalId: b.message.proposalId.toString(), nonce: b.message.nonce.toString() },
  }
}
const EIP712_DOMAIN_FIELDS = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
]

/** The ballot a wallet signs to vote without gas: the governor's domain and the voter's current nonce. */
export async function ballot(c: GovernanceContext, input: BallotInput) {
  const p = parseInput(ballotInput, input)
  const created = await c.directory.proposal(p.proposal)
  const b = await readBallot(c.reader, {
    governor: created.governor,
    proposalId: created.id,
    voter: p.voter,
    support: p.support,
    reason: p.reason,
  })
  return ballotJson(b)
}

/**
 * Relays a ballot a wallet signed (`castVoteWithReasonAndParamsBySig`): the node pays the gas, the vote
 * counts for the signer. Everything is checked before anything is sent, so a bad ballot costs the node
 * no gas: the signature recovers to the voter, the proposal is active, the voter has weight and has not voted.
 */
export async function voteBySig(c: GovernanceContext, input: SignedBallotInput) {
  const p = parseInput(signedBallotInput, input)
  const created = await c.directory.proposal(p.proposal)
  const ref = { governor: created.governor, proposalId: created.id, voter: p.voter }
  const b = await readBallot(c.reader, { ...ref, support: p.support, reason: p.reason })
  const signer = await ballotSigner(b, p.signature as `0x${string}`).catch((err) => {
    throw new InvalidInputError('The signature is malformed: sign the ballot `GET …/ballot` returns.', {
      cause: err,
    })
  })
  if (signer.toLowerCase() !== p.voter)
    throw new PermissionDeniedError(
      `The ballot was signed by ${signer}, not by the voter ${p.voter}: sign the exact ballot \`GET …/ballot\` returns (its nonce changes after each vote).`,
    )
  const status = await readProposalStatus(c.reader, created)
  if (status.state !== 'active')
    throw new ProposalStateError(
      `Proposal ${created.ref} is ${status.state}, not open for votes. Nothing was sent.`,
    )
  const standing = await readVoterStanding(c.reader, ref)
  if (standing.hasVoted)
    throw new ProposalStateError(
      `${p.voter} already voted on proposal ${created.ref}; each account votes once.`,
    )
  if (standing.weight === 0n)
    throw new PermissionDeniedError(
      `${p.voter} had no voting power at proposal ${created.ref}'s snapshot: shares must be held or delegated before a proposal is made.`,
    )
  const writer = await c.writerFor('node')
  const tx = await castVoteBySig(writer, b, p.signature as `0x${string}`).catch((err) =>
    explainRefusal(c, err, created, p.voter),
  )
  return { ...proposalDto(await readProposalStatus(c.reader, created)), transactionHash: tx, voter: p.voter }
}
