import {
  type ChainReader,
  ContractRevertedError,
  getChainTime,
  type ProposalCreated,
  ProposalStateError,
  readProposalStatus,
} from '../chain/index.ts'

/**
 * Turns a governor's refusal into a ProposalStateError that says why and when the step becomes possible
 * (the simulation refused, so nothing was sent). Any other error passes through.
 */
export async function explainRefusal(
  c: { reader: ChainReader },
  err: unknown,
  created: ProposalCreated,
  voter?: `0x${string}`,
): Promise<never> {
  const name = err instanceof ContractRevertedError ? err.details?.errorName : undefined
  if (name === 'GovernorAlreadyCastVote') {
    throw new ProposalStateError(
      `${voter} already voted on proposal ${created.ref}; each account votes once.`,
      {
        cause: err,
      },
    )
  }
  if (name !== 'GovernorUnexpectedProposalState' && name !== 'TimelockUnexpectedOperationState') throw err
  const status = await readProposalStatus(c.reader, created)
  const now = await getChainTime(c.reader)
  throw new ProposalStateError(
    `Proposal ${created.ref} is ${status.state}: ${whenPossible(status, now)}. Nothing was sent.`,
    { cause: err },
  )
}

function whenPossible(
  s: { state: string; voteStart: bigint; voteEnd: bigint; eta: bigint },
  now: bigint,
): string {
  switch (s.state) {
    case 'pending':
      return `voting opens in ${s.voteStart - now + 1n} s (at ${isoTime(s.voteStart)})`
    case 'active':
      return `voting is open until ${isoTime(s.voteEnd)}`
    case 'queued':
      return now < s.eta
        ? `it can be executed in ${s.eta - now} s (at ${isoTime(s.eta)})`
        : 'it is ready to execute'
    case 'succeeded':
      return 'voting closed and it passed: queue it next'
    default:
      return `voting closed at ${isoTime(s.voteEnd)}`
  }
}

function isoTime(seconds: bigint): string {
  return new Date(Number(seconds) * 1000).toISOString()
}
