import type { TransactionReceipt } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { UsageEscrow } from '../generated/artifacts.ts'
import { usageEscrowAddress } from './usage-escrow-address.ts'

type EscrowAbi = typeof UsageEscrow.abi
type WriteName =
  | 'deposit'
  | 'depositToken'
  | 'requestWithdrawal'
  | 'withdraw'
  | 'redeem'
  | 'redeemMany'
  | 'claimNodeRevenue'
  | 'claimContributorRevenue'
  | 'claimDatasetRevenue'
  | 'linkTrainingJob'
  | 'authorizeSigner'
  | 'revokeSigner'

/** Simulates then sends one UsageEscrow call (a revert surfaces as ContractRevertedError by name). */
export async function writeEscrow(
  c: ChainWriter,
  what: string,
  functionName: WriteName,
  args: readonly unknown[],
  value?: bigint,
): Promise<TransactionReceipt> {
  const address = usageEscrowAddress(c)
  return confirmTransaction(c, what, async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: UsageEscrow.abi as EscrowAbi,
      functionName,
      args,
      value,
      // biome-ignore lint/suspicious/noExplicitAny: args are typed by each action that calls this helper
    } as any)
    return c.wallet.writeContract(request)
  })
}
