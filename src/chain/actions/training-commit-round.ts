import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import type { ContributionDatasets } from './training-contribution.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

export interface CommitTrainingRoundParams {
  jobId: bigint
  round: number
  /** sha-256 of the global weights after the round. */
  modelHash: `0x${string}`
  /** sha-256 over the masked uploads the round's sum came from. */
  inputsCommitment: `0x${string}`
  /** sha-256 of the global model the round started from (what each contributor signed). */
  trainedFrom: `0x${string}`
  /**
   * Each contributor's measured contribution this round with its EIP-712 signature over (job, round,
   * amount, trainedFrom) (sorted by address on the way out).
   */
  contributions: {
    address: `0x${string}`
    amount: bigint
    signature: `0x${string}`
    /** The datasets the contributor signed it trained on (none when absent). */
    datasets?: ContributionDatasets
  }[]
}

/** Commits the next round of a job (only its coordinator may); returns the transaction hash. */
export async function commitTrainingRound(c: ChainWriter, p: CommitTrainingRoundParams): Promise<Hash> {
  const address = trainingLedgerAddress(c)
  // The contract wants strictly increasing addresses: a canonical order and no duplicates.
  const sorted = [...p.contributions].sort((a, b) =>
    BigInt(a.address) < BigInt(b.address) ? -1 : BigInt(a.address) > BigInt(b.address) ? 1 : 0,
  )
  const receipt = await confirmTransaction(c, `Committing round ${p.round}`, async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: TrainingLedger.abi,
      functionName: 'commitRound',
      args: [
        {
          jobId: p.jobId,
          round: p.round,
          modelHash: p.modelHash,
          inputsCommitment: p.inputsCommitment,
          trainedFrom: p.trainedFrom,
          contributors: sorted.map((x) => x.address),
          contributions: sorted.map((x) => x.amount),
          signatures: sorted.map((x) => x.signature),
          datasetIds: sorted.map((x) => x.datasets?.ids ?? []),
          datasetAmounts: sorted.map((x) => x.datasets?.amounts ?? []),
        },
      ],
    })
    // Headroom over the estimate: these calls write arrays, and a tight estimate has reverted out of gas
    // on a loaded machine.
    const gas = await c.public.estimateContractGas(request)
    return c.wallet.writeContract({ ...request, gas: gas + gas / 4n })
  })
  return receipt.transactionHash
}
