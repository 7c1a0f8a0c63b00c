import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeDatasetRegistry } from './dataset-write.ts'

/** The owner (the writer's account) withdraws its dataset, for good: no later round may use it. */
export async function withdrawDataset(c: ChainWriter, p: { datasetId: bigint }): Promise<Hash> {
  return (await writeDatasetRegistry(c, 'Withdrawing the dataset', 'withdraw', [p.datasetId])).transactionHash
}
