import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeDatasetRegistry } from './dataset-write.ts'

/** The owner (the writer's account) lets `licensee` train on its dataset under the dataset's terms. */
export async function grantDatasetLicence(
  c: ChainWriter,
  p: { datasetId: bigint; licensee: `0x${string}` },
): Promise<Hash> {
  return (
    await writeDatasetRegistry(c, 'Granting the dataset licence', 'grantLicence', [p.datasetId, p.licensee])
  ).transactionHash
}
