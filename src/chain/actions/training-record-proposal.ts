import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

/** Links a finished job to the version and the governance proposal that publish its result. */
export async function recordTrainingProposal(
  c: ChainWriter,
  p: { jobId: bigint; versionId: bigint; proposalId: bigint },
): Promise<Hash> {
  const address = trainingLedgerAddress(c)
  const receipt = await confirmTransaction(c, 'Linking the training job to its proposal', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: TrainingLedger.abi,
      functionName: 'recordProposal',
      args: [p.jobId, p.versionId, p.proposalId],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
