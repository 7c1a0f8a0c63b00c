import { type Hex, hashTypedData, recoverAddress } from 'viem'
import type { ChainReader, ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { translateChainError } from '../errors.ts'
import { ModelGovernor } from '../generated/artifacts.ts'
import { VOTE_SUPPORT, type VoteChoice } from './cast-vote.ts'

/** The governor's EIP-712 ballot with a reason (OpenZeppelin `EXTENDED_BALLOT_TYPEHASH`). */
export const EXTENDED_BALLOT_TYPES = {
  ExtendedBallot: [
    { name: 'proposalId', type: 'uint256' },
    { name: 'support', type: 'uint8' },
    { name: 'voter', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'reason', type: 'string' },
    { name: 'params', type: 'bytes' },
  ],
} as const

/** The typed data a voter signs for one ballot; `nonce` is the governor's current nonce of the voter. */
export interface ExtendedBallot {
  domain: { name: string; version: string; chainId: number; verifyingContract: `0x${string}` }
  types: typeof EXTENDED_BALLOT_TYPES
  primaryType: 'ExtendedBallot'
  message: {
    proposalId: bigint
    support: number
    voter: `0x${string}`
    nonce: bigint
    reason: string
    params: Hex
  }
}

/** Reads the governor's EIP-712 domain and the voter's nonce, and builds the ballot to sign. */
export async function readBallot(
  c: ChainReader,
  p: {
    governor: `0x${string}`
    proposalId: bigint
    voter: `0x${string}`
    support: VoteChoice
    reason: string
  },
): Promise<ExtendedBallot> {
  try {
    const gov = { address: p.governor, abi: ModelGovernor.abi } as const
    const [domain, nonce] = await Promise.all([
      c.public.readContract({ ...gov, functionName: 'eip712Domain' }),
      c.public.readContract({ ...gov, functionName: 'nonces', args: [p.voter] }),
    ])
    const [, name, version, chainId, verifyingContract] = domain
    return {
      domain: { name, version, chainId: Number(chainId), verifyingContract },
      types: EXTENDED_BALLOT_TYPES,
      primaryType: 'ExtendedBallot',
      message: {
        proposalId: p.proposalId,
        support: VOTE_SUPPORT[p.support],
        voter: p.voter,
        nonce,
        reason: p.reason,
        params: '0x',
      },
    }
  } catch (err) {
    throw translateChainError(err, 'Reading the ballot')
  }
}

/** The address that signed a ballot (pure: no chain access). */
export async function ballotSigner(ballot: ExtendedBallot, signature: Hex): Promise<`0x${string}`> {
  return recoverAddress({ hash: hashTypedData(ballot), signature })
}

/** Sends a ballot another account signed; the sender (the relaying node) pays the gas. */
export async function castVoteBySig(
  c: ChainWriter,
  ballot: ExtendedBallot,
  signature: Hex,
): Promise<`0x${string}`> {
  const m = ballot.message
  const receipt = await confirmTransaction(c, 'Relaying a signed vote', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: ballot.domain.verifyingContract,
      abi: ModelGovernor.abi,
      functionName: 'castVoteWithReasonAndParamsBySig',
      args: [m.proposalId, m.support, m.voter, m.reason, m.params, signature],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}

/** Whether `voter` already voted, and its voting power at the proposal's snapshot. */
export async function readVoterStanding(
  c: ChainReader,
  p: { governor: `0x${string}`; proposalId: bigint; voter: `0x${string}` },
): Promise<{ hasVoted: boolean; weight: bigint }> {
  try {
    const gov = { address: p.governor, abi: ModelGovernor.abi } as const
    const snapshot = await c.public.readContract({
      ...gov,
      functionName: 'proposalSnapshot',
      args: [p.proposalId],
    })
    const [hasVoted, weight] = await Promise.all([
      c.public.readContract({ ...gov, functionName: 'hasVoted', args: [p.proposalId, p.voter] }),
      c.public.readContract({ ...gov, functionName: 'getVotes', args: [p.voter, snapshot] }),
    ])
    return { hasVoted, weight }
  } catch (err) {
    throw translateChainError(err, 'Reading the voter')
  }
}
