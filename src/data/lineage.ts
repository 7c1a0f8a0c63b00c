import { type ChainReader, findModelId, getVersion } from '../chain/index.ts'
import { type DatasetDto, datasetDto } from './dtos.ts'
import { VersionNotFoundError } from './errors.ts'
import { markedVersions, versionKey } from './lineage-graph.ts'
import type { VersionRef } from './schemas.ts'
import { readTrainingRecords } from './trained-versions.ts'

/** What produced a model version: its base version, training job, rounds, members and datasets. */
export interface LineageDto {
  modelId: string
  versionId: string
  contentRoot: string
  status: string
  /** The training job whose result this version is (absent: not produced by a recorded job). */
  jobId?: string
  /** The version the job started from (absent: none, or not a registered version). */
  baseVersionId?: string
  rounds: {
    round: number
    modelHash: string
    contributions: { member: string; amount: string; datasets: { id: string; amount: string }[] }[]
  }[]
  /** Every member that contributed to a round, sorted. */
  members: string[]
  datasets: DatasetDto[]
  /** Withdrawn datasets this version carries, through its own rounds or its base versions. */
  withdrawnDatasets: string[]
  /** True when the version carries a withdrawn dataset (see withdrawnDatasets). */
  marked: boolean
}

/**
 * Reads the lineage of `<model>@<version>` from the chain: the TrainingLedger job linked to it, each
 * round's contributors and the datasets they signed, and the withdrawals that mark it.
 * @example await readLineage(chain, { model: 'tiny', version: '2' })
 */
export async function readLineage(c: ChainReader, ref: VersionRef): Promise<LineageDto> {
  const modelId = await findModelId(c, ref.model)
  if (modelId === undefined)
    throw new VersionNotFoundError(`No model ${ref.model}: check \`commons model list\`.`)
  const versionId = BigInt(ref.version)
  const version = await getVersion(c, modelId, versionId).catch((cause: unknown) => {
    throw new VersionNotFoundError(
      `Model ${ref.model} has no version ${ref.version}: check \`commons model show ${ref.model}\`.`,
      { cause },
    )
  })
  const records = await readTrainingRecords(c, modelId)
  const withdrawn = new Set(
    [...records.datasets.values()].filter((d) => d.withdrawnAt !== 0n).map((d) => d.id),
  )
  const marks = markedVersions(records.versions, withdrawn).get(versionKey(modelId, versionId)) ?? []
  const trained = records.versions.find((v) => v.versionId === versionId)
  const rounds =
    trained?.job.roundRecords.map((r) => ({
      round: r.round,
      modelHash: r.modelHash,
      contributions: r.contributions.map((x) => ({
        member: x.address,
        amount: x.amount.toString(),
        datasets: x.datasets.map((d) => ({ id: d.id.toString(), amount: d.amount.toString() })),
      })),
    })) ?? []
  return {
    modelId: modelId.toString(),
    versionId: versionId.toString(),
    contentRoot: version.contentRoot,
    status: version.status,
    jobId: trained?.jobId.toString(),
    baseVersionId: trained && trained.baseVersionId !== 0n ? trained.baseVersionId.toString() : undefined,
    rounds,
    members: [...new Set(rounds.flatMap((r) => r.contributions.map((x) => x.member)))].sort(),
    datasets: (trained?.datasets ?? []).map((id) => datasetDto(records.datasets.get(id)!)),
    withdrawnDatasets: marks.map(String),
    marked: marks.length > 0,
  }
}
