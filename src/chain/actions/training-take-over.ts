import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

/** Makes the sender (a listed participant) the job's coordinator once the takeover timeout has passed. */
export async function takeOverTrainingJob(c: ChainWriter, p: { jobId: bigint }): Promise<Hash> {
  const address = trainingLedgerAddress(c)
  const receipt = await confirmTransaction(c, 'Taking over as coordinator', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: TrainingLedger.abi,
      functionName: 'takeOver',
      args: [p.jobId],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
