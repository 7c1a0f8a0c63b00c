import {
  type ChainReader,
  type DatasetRecord,
  getDataset,
  getTrainingJob,
  listTrainingJobLinks,
  type TrainingJobRecord,
} from '../chain/index.ts'
import type { TrainedVersion } from './lineage-graph.ts'

/** Every version a finished job produced, with its job's on-chain record, and the datasets those jobs used. */
export interface TrainingRecords {
  versions: (TrainedVersion & { job: TrainingJobRecord })[]
  datasets: Map<bigint, DatasetRecord>
}

/** Reads the jobs linked to a version (TrainingLedger.recordProposal) and the datasets their rounds recorded. */
export async function readTrainingRecords(c: ChainReader, modelId?: bigint): Promise<TrainingRecords> {
  const links = (await listTrainingJobLinks(c)).filter(
    (l) => l.versionId !== 0n && (modelId === undefined || l.modelId === modelId),
  )
  const versions = await Promise.all(
    links.map(async (l) => {
      const job = await getTrainingJob(c, l.id)
      const ids = job.roundRecords.flatMap((r) => r.contributions.flatMap((x) => x.datasets.map((d) => d.id)))
      return {
        modelId: l.modelId,
        versionId: l.versionId,
        jobId: l.id,
        baseVersionId: l.baseVersionId,
        datasets: [...new Set(ids)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        job,
      }
    }),
  )
  const ids = [...new Set(versions.flatMap((v) => v.datasets))]
  const records = await Promise.all(ids.map((id) => getDataset(c, id)))
  return { versions, datasets: new Map(records.map((d) => [d.id, d])) }
}
