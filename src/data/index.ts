/**
 * The data commons: datasets registered on chain by their owners (manifest root, SPDX licence, consent terms,
 * purposes; the data stays on the owner's node), their withdrawal with the proposals it calls for, and the
 * lineage of every model version (datasets, members, rounds, base version) read from the TrainingLedger.
 * Members enforce the terms when they train (federated/dataset-terms.ts); the ledger and the escrow record
 * and pay per (member, dataset).
 */
import type { ChainReader, ChainWriter } from '../chain/index.ts'
import { addDataset, datasetIdOf, listAllDatasets, showDataset, withdraw } from './datasets.ts'
import type { DatasetDto } from './dtos.ts'
import { type LineageDto, readLineage } from './lineage.ts'
import type { AddDatasetInput, VersionRef } from './schemas.ts'
import { type WithdrawalRemedyDto, withdrawalRemedy } from './withdrawal-remedy.ts'

export type { DatasetDto } from './dtos.ts'
export { InvalidDatasetError, VersionNotFoundError } from './errors.ts'
export type { LineageDto } from './lineage.ts'
export { markedVersions, type TrainedVersion } from './lineage-graph.ts'
export { type AddDatasetInput, addDatasetSchema, type VersionRef, versionRefSchema } from './schemas.ts'
export type { WithdrawalRemedyDto } from './withdrawal-remedy.ts'
export { datasetIdOf }

/** The data commons use cases, on one node's chain account. */
export interface DataCommons {
  add(input: AddDatasetInput): Promise<DatasetDto & { files: number }>
  list(): Promise<DatasetDto[]>
  show(id: string): Promise<DatasetDto>
  /** Withdraws the caller's dataset; returns it and the proposals offered (revoke marked versions, retrain). */
  withdraw(id: string): Promise<{ dataset: DatasetDto; remedy: WithdrawalRemedyDto }>
  /** The proposals a withdrawal calls for (also for a dataset withdrawn earlier). */
  remedy(id: string): Promise<WithdrawalRemedyDto>
  lineage(ref: VersionRef): Promise<LineageDto>
}

/** What the data commons needs: the node's chain account. */
export interface DataCommonsComponents {
  chain: ChainWriter
}

/**
 * Builds the data commons use cases.
 * @example const data = createDataCommons({}, { chain }); await data.lineage({ model: 'tiny', version: '2' })
 */
export function createDataCommons(_init: Record<string, never>, c: DataCommonsComponents): DataCommons {
  const reader: ChainReader = c.chain
  return {
    add: (input) => addDataset(c.chain, input),
    list: () => listAllDatasets(reader),
    show: (id) => showDataset(reader, datasetIdOf(id)),
    withdraw: (id) => withdraw(c.chain, datasetIdOf(id)),
    remedy: (id) => withdrawalRemedy(reader, datasetIdOf(id)),
    lineage: (ref) => readLineage(reader, ref),
  }
}
