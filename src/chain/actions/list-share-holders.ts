import { parseEventLogs } from 'viem'
import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelShares } from '../generated/artifacts.ts'

/** One account of a model's cap table: its shares, its voting power and whom it delegates to. */
export interface ShareHolder {
  account: `0x${string}`
  balance: bigint
  votes: bigint
  delegate: `0x${string}`
}

const ZERO = '0x0000000000000000000000000000000000000000'
/** Accounts whose balance, votes and delegate are read concurrently. */
const READ_BATCH = 32

/**
 * Every account that holds shares of a model or votes with them (a delegate holding none), found from the
 * token's Transfer and DelegateChanged events since deployment, with their balances and votes read now.
 * Largest balance first; an account that sold everything and has no votes is left out.
 */
export async function listShareHolders(
  c: ChainReader,
  /** The token; the block to read at (default: the head when called). */
  p: { shares: `0x${string}`; blockNumber?: bigint },
): Promise<{ holders: ShareHolder[]; totalSupply: bigint }> {
  try {
    const logs = await c.public.getLogs({
      address: p.shares,
      fromBlock: BigInt(c.deployment.deployedAtBlock),
      toBlock: p.blockNumber,
    })
    const seen = new Set<`0x${string}`>()
    for (const e of parseEventLogs({ abi: ModelShares.abi, logs })) {
      if (e.eventName === 'Transfer') seen.add(e.args.to)
      else if (e.eventName === 'DelegateChanged') seen.add(e.args.toDelegate)
    }
    seen.delete(ZERO)
    const token = { address: p.shares, abi: ModelShares.abi, blockNumber: p.blockNumber } as const
    const totalSupply = await c.public.readContract({ ...token, functionName: 'totalSupply' })
    // Anyone can send shares to many addresses: read them a bounded batch at a time, not all at once.
    const accounts = [...seen]
    const rows: ShareHolder[] = []
    for (let i = 0; i < accounts.length; i += READ_BATCH) {
      const batch = accounts.slice(i, i + READ_BATCH).map(async (account) => {
        const [balance, votes, delegate] = await Promise.all([
          c.public.readContract({ ...token, functionName: 'balanceOf', args: [account] }),
          c.public.readContract({ ...token, functionName: 'getVotes', args: [account] }),
          c.public.readContract({ ...token, functionName: 'delegates', args: [account] }),
        ])
        return { account, balance, votes, delegate }
      })
      rows.push(...(await Promise.all(batch)))
    }
    const holders = rows
      .filter((h) => h.balance > 0n || h.votes > 0n)
      .sort((a, b) =>
        a.balance === b.balance ? (a.votes > b.votes ? -1 : 1) : a.balance > b.balance ? -1 : 1,
      )
    return { holders, totalSupply }
  } catch (err) {
    throw translateChainError(err, 'Reading the holders of a model')
  }
}
