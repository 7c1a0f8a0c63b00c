import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

/** Records a job's result (content root of the new model) once every round is committed. */
export async function finishTrainingJob(
  c: ChainWriter,
  p: { jobId: bigint; resultRoot: `0x${string}` },
): Promise<Hash> {
  const address = trainingLedgerAddress(c)
  const receipt = await confirmTransaction(c, 'Recording the training result', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: TrainingLedger.abi,
      functionName: 'finishJob',
      args: [p.jobId, p.resultRoot],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
