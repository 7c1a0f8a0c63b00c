import type { ChainReader, ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { translateChainError } from '../errors.ts'
import { ModelShares } from '../generated/artifacts.ts'

/** An account's shares of a model, its voting power and delegate. */
export async function getShares(c: ChainReader, p: { shares: `0x${string}`; account: `0x${string}` }) {
  try {
    const token = { address: p.shares, abi: ModelShares.abi } as const
    const [balance, votes, delegate, totalSupply] = await Promise.all([
      c.public.readContract({ ...token, functionName: 'balanceOf', args: [p.account] }),
      c.public.readContract({ ...token, functionName: 'getVotes', args: [p.account] }),
      c.public.readContract({ ...token, functionName: 'delegates', args: [p.account] }),
      c.public.readContract({ ...token, functionName: 'totalSupply' }),
    ])
    return { account: p.account, balance, votes, delegate, totalSupply }
  } catch (err) {
    throw translateChainError(err, 'Reading shares')
  }
}

/** Delegates the sender's voting power to another account (or back to itself). */
export async function delegateVotes(
  c: ChainWriter,
  p: { shares: `0x${string}`; delegatee: `0x${string}` },
): Promise<`0x${string}`> {
  const receipt = await confirmTransaction(c, 'Delegating votes', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: p.shares,
      abi: ModelShares.abi,
      functionName: 'delegate',
      args: [p.delegatee],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
