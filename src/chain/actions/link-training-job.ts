import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeEscrow } from './escrow-write.ts'

/**
 * Links a version to the finished TrainingLedger job that produced it (the job must have recorded this
 * version); from then on the version's contributor share goes to that job's contributors. Anyone may call.
 */
export async function linkTrainingJob(
  c: ChainWriter,
  p: { modelId: bigint; versionId: bigint; jobId: bigint },
): Promise<Hash> {
  return (
    await writeEscrow(c, 'Linking a version to its training job', 'linkTrainingJob', [
      p.modelId,
      p.versionId,
      p.jobId,
    ])
  ).transactionHash
}
