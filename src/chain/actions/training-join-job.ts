import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

/**
 * Opts the sender in to a pending job it is named in (the job becomes active when every participant
 * joined). Returns the transaction hash, or undefined when the sender had already joined.
 */
export async function joinTrainingJob(c: ChainWriter, p: { jobId: bigint }): Promise<Hash | undefined> {
  const address = trainingLedgerAddress(c)
  const joined = await c.public.readContract({
    address,
    abi: TrainingLedger.abi,
    functionName: 'hasJoined',
    args: [p.jobId, c.wallet.account.address],
  })
  if (joined) return undefined
  const receipt = await confirmTransaction(c, 'Joining the training job', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: TrainingLedger.abi,
      functionName: 'join',
      args: [p.jobId],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
