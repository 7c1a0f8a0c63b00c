import {
  type ChainReader,
  type ChainWriter,
  getDataset,
  listDatasets,
  purposeId,
  registerDataset,
  withdrawDataset,
} from '../chain/index.ts'
import { datasetManifest } from '../training/index.ts'
import { type DatasetDto, datasetDto } from './dtos.ts'
import { InvalidDatasetError } from './errors.ts'
import { type AddDatasetInput, addDatasetSchema } from './schemas.ts'
import { type WithdrawalRemedyDto, withdrawalRemedy } from './withdrawal-remedy.ts'

/** Parses a dataset id from outside; throws InvalidDatasetError. */
export function datasetIdOf(value: string): bigint {
  if (!/^\d{1,30}$/.test(value) || BigInt(value) === 0n)
    throw new InvalidDatasetError(
      `"${value}" is not a dataset id (a number from 1): see \`commons data list\`.`,
    )
  return BigInt(value)
}

/**
 * Registers a dataset on this node's disk: only its manifest root (sha-256 over each file's path, size and
 * hash) goes on chain, with the licence, consent terms and purposes; the data stays here.
 */
export async function addDataset(
  c: ChainWriter,
  input: AddDatasetInput,
): Promise<DatasetDto & { files: number }> {
  const parsed = addDatasetSchema.safeParse(input)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidDatasetError(
      `The dataset is invalid: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    )
  }
  const d = parsed.data
  const manifest = await datasetManifest(d.path)
  const id = await registerDataset(c, {
    manifestRoot: manifest.root,
    licence: d.licence,
    consentUri: d.consentUri,
    consentHash: d.consentHash,
    purposes: [...new Set(d.purposes.map(purposeId))],
  })
  return { ...datasetDto(await getDataset(c, id)), files: manifest.files.length }
}

export async function showDataset(c: ChainReader, id: bigint): Promise<DatasetDto> {
  return datasetDto(await getDataset(c, id))
}

export async function listAllDatasets(c: ChainReader): Promise<DatasetDto[]> {
  return (await listDatasets(c)).map(datasetDto)
}

/** The owner withdraws its dataset; returns the proposals offered to the models trained with it. */
export async function withdraw(
  c: ChainWriter,
  id: bigint,
): Promise<{ dataset: DatasetDto; remedy: WithdrawalRemedyDto }> {
  await withdrawDataset(c, { datasetId: id })
  return { dataset: datasetDto(await getDataset(c, id)), remedy: await withdrawalRemedy(c, id) }
}
