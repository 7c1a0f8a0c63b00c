import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeEscrow } from './escrow-write.ts'

/**
 * Pays a dataset's owner what `member` earned training on it for a version (anyone may send it; the escrow
 * pays the owner recorded in the DatasetRegistry).
 */
export async function claimDatasetRevenue(
  c: ChainWriter,
  p: { modelId: bigint; versionId: bigint; member: `0x${string}`; datasetId: bigint },
): Promise<Hash> {
  return (
    await writeEscrow(c, 'Claiming dataset revenue', 'claimDatasetRevenue', [
      p.modelId,
      p.versionId,
      p.member,
      p.datasetId,
    ])
  ).transactionHash
}
