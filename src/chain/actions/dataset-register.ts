import { parseEventLogs } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { DatasetRegistry } from '../generated/artifacts.ts'
import { writeDatasetRegistry } from './dataset-write.ts'

export interface RegisterDatasetParams {
  /** Content root of the dataset's manifest (the data itself never goes on chain). */
  manifestRoot: `0x${string}`
  /** SPDX licence id, e.g. CC-BY-4.0. */
  licence: string
  consentUri: string
  consentHash: `0x${string}`
  /** Purpose ids (bytes32) the consent allows. */
  purposes: `0x${string}`[]
}

/** Registers a dataset owned by the writer's account; returns its id. */
export async function registerDataset(c: ChainWriter, p: RegisterDatasetParams): Promise<bigint> {
  const receipt = await writeDatasetRegistry(c, 'Registering the dataset', 'register', [
    p.manifestRoot,
    p.licence,
    p.consentUri,
    p.consentHash,
    p.purposes,
  ])
  const [event] = parseEventLogs({
    abi: DatasetRegistry.abi,
    logs: receipt.logs,
    eventName: 'DatasetRegistered',
  })
  if (!event) throw new Error('DatasetRegistered event missing from the receipt')
  return event.args.datasetId
}
