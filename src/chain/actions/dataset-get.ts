import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { DatasetRegistry } from '../generated/artifacts.ts'
import { datasetRegistryAddress } from './dataset-registry-address.ts'

/** A dataset as the DatasetRegistry records it. */
export interface DatasetRecord {
  id: bigint
  owner: `0x${string}`
  manifestRoot: `0x${string}`
  licence: string
  consentUri: string
  consentHash: `0x${string}`
  purposes: `0x${string}`[]
  registeredAt: bigint
  /** 0n while offered; the block time of the withdrawal otherwise. */
  withdrawnAt: bigint
}

/** Reads one dataset; an unknown id fails as the contract's DatasetUnknown revert. */
export async function getDataset(c: ChainReader, datasetId: bigint): Promise<DatasetRecord> {
  try {
    const d = await c.public.readContract({
      address: datasetRegistryAddress(c),
      abi: DatasetRegistry.abi,
      functionName: 'getDataset',
      args: [datasetId],
    })
    return {
      id: datasetId,
      owner: d.owner,
      manifestRoot: d.manifestRoot,
      licence: d.licence,
      consentUri: d.consentUri,
      consentHash: d.consentHash,
      purposes: [...d.purposes],
      registeredAt: d.registeredAt,
      withdrawnAt: d.withdrawnAt,
    }
  } catch (err) {
    throw translateChainError(err, `Reading dataset ${datasetId}`)
  }
}

/** Every registered dataset, oldest first. */
export async function listDatasets(c: ChainReader): Promise<DatasetRecord[]> {
  const count = await c.public.readContract({
    address: datasetRegistryAddress(c),
    abi: DatasetRegistry.abi,
    functionName: 'datasetCount',
  })
  return Promise.all(Array.from({ length: Number(count) }, (_, i) => getDataset(c, BigInt(i + 1))))
}

/** Whether `account` holds a licence to the dataset (its owner needs none). */
export async function hasDatasetLicence(
  c: ChainReader,
  p: { datasetId: bigint; account: `0x${string}` },
): Promise<boolean> {
  return c.public.readContract({
    address: datasetRegistryAddress(c),
    abi: DatasetRegistry.abi,
    functionName: 'hasLicence',
    args: [p.datasetId, p.account],
  })
}
