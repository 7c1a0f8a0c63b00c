import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

/** A job's links as the ledger records them, without its rounds (getTrainingJob reads those). */
export interface TrainingJobLink {
  id: bigint
  modelId: bigint
  baseVersionId: bigint
  /** The registry version holding the job's result (0n until recordProposal). */
  versionId: bigint
  committedRounds: number
}

/** Every recorded training job's model, base version and result version, oldest first. */
export async function listTrainingJobLinks(c: ChainReader): Promise<TrainingJobLink[]> {
  const ledger = { address: trainingLedgerAddress(c), abi: TrainingLedger.abi } as const
  try {
    const count = await c.public.readContract({ ...ledger, functionName: 'jobCount' })
    return Promise.all(
      Array.from({ length: Number(count) }, async (_, i) => {
        const id = BigInt(i + 1)
        const j = await c.public.readContract({ ...ledger, functionName: 'getJob', args: [id] })
        return {
          id,
          modelId: j.modelId,
          baseVersionId: j.baseVersionId,
          versionId: j.versionId,
          committedRounds: j.committedRounds,
        }
      }),
    )
  } catch (err) {
    throw translateChainError(err, 'Listing training jobs')
  }
}
