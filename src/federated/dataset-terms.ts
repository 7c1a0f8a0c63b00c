import type { ChainReader, DatasetRecord } from '../chain/index.ts'
import { getDataset, hasDatasetLicence, purposeId } from '../chain/index.ts'
import { datasetManifest } from '../training/index.ts'
import { joinDatasets, type LocalDataset } from './dataset-selection.ts'
import { DatasetUseRefusedError } from './errors.ts'
import type { TrainingJobSpec } from './job-spec.ts'
import type { LocalData } from './round-participant.ts'

/** What a member knows of one of its datasets when it decides whether to train on it. */
export interface DatasetStanding {
  record: DatasetRecord
  /** Whether the member holds a licence to it (owners need none). */
  licensed: boolean
}

/**
 * Why `account` may not train on a dataset for a job, or undefined when it may: the job must name the
 * dataset, the account must own it or hold a licence, it must not be withdrawn, and its consent terms must
 * allow the job's purpose. Pure.
 */
export function datasetRefusal(
  data: NonNullable<TrainingJobSpec['data']>,
  standing: DatasetStanding,
  account: `0x${string}`,
): string | undefined {
  const d = standing.record
  if (!data.datasets.includes(d.id.toString()))
    return `dataset ${d.id} is not one of the job's datasets (${data.datasets.join(', ')})`
  if (d.withdrawnAt !== 0n) return `dataset ${d.id} was withdrawn by its owner ${d.owner}`
  if (d.owner.toLowerCase() !== account.toLowerCase() && !standing.licensed)
    return `dataset ${d.id} belongs to ${d.owner}, who granted ${account} no licence to it`
  if (!d.purposes.includes(purposeId(data.purpose)))
    return `the consent terms of dataset ${d.id} (${d.consentUri || 'no URI'}) do not allow the purpose "${data.purpose}"`
  return undefined
}

/** Reads a dataset's record and whether `account` holds a licence to it. */
export async function readDatasetStanding(
  c: ChainReader,
  datasetId: bigint,
  account: `0x${string}`,
): Promise<DatasetStanding> {
  const [record, licensed] = await Promise.all([
    getDataset(c, datasetId),
    hasDatasetLicence(c, { datasetId, account }),
  ])
  return { record, licensed }
}

/**
 * Loads registered datasets from this node's disk for a job, refusing (DatasetUseRefusedError, with each
 * reason) any whose local copy does not match the manifest root on chain, that is withdrawn, or that this
 * node neither owns nor is licensed to. The job's purpose is checked before each round (datasetRefusal).
 */
export async function registeredLocalData(
  c: ChainReader & { wallet: { account: { address: `0x${string}` } } },
  sources: { id: bigint; path: string }[],
  load: (path: string) => Promise<LocalData>,
): Promise<LocalData> {
  const me = c.wallet.account.address
  const reasons: string[] = []
  const parts: LocalDataset[] = []
  for (const { id, path } of sources) {
    const [{ record, licensed }, manifest] = await Promise.all([
      readDatasetStanding(c, id, me),
      datasetManifest(path),
    ])
    if (manifest.root !== record.manifestRoot.toLowerCase()) {
      reasons.push(`${path} has manifest root ${manifest.root}, not dataset ${id}'s ${record.manifestRoot}`)
    } else if (record.withdrawnAt !== 0n) {
      reasons.push(`dataset ${id} was withdrawn by its owner ${record.owner}`)
    } else if (record.owner.toLowerCase() !== me.toLowerCase() && !licensed) {
      reasons.push(`dataset ${id} belongs to ${record.owner}, who granted ${me} no licence to it`)
    }
  }
  if (reasons.length > 0)
    throw new DatasetUseRefusedError(`This node may not train on: ${reasons.join('; ')}.`)
  for (const { id, path } of sources) {
    const { train, heldOut } = await load(path)
    parts.push({ id, train, heldOut })
  }
  return { ...joinDatasets(parts), datasets: parts }
}
