import { type ChainReader, getModelContracts, listVersions, revokeVersionCall } from '../chain/index.ts'
import { markedVersions } from './lineage-graph.ts'
import { readTrainingRecords } from './trained-versions.ts'

/** What the owners of a model are offered after a dataset withdrawal: revoke the marked versions, retrain clean. */
export interface WithdrawalRemedyDto {
  datasetId: string
  models: {
    modelId: string
    /** Versions trained with the dataset (directly or from a marked base), not yet revoked. */
    markedVersions: string[]
    /** The newest published version that does not carry it (absent: none; retrain from the base model). */
    lastCleanVersion?: string
    lastCleanContentRoot?: string
    /** Ready-made proposals: one per marked version, with the command and the timelock call. */
    revoke: { versionId: string; command: string; call: { target: string; value: string; data: string } }[]
    /** How to retrain without the dataset from the last clean version. */
    retrain: { command: string; specChanges: Record<string, unknown> }
  }[]
}

/**
 * The proposals a withdrawal calls for, per model trained with the dataset: revoke every marked version,
 * and retrain from the newest clean published version with the dataset left out of the job's datasets.
 */
export async function withdrawalRemedy(c: ChainReader, datasetId: bigint): Promise<WithdrawalRemedyDto> {
  const records = await readTrainingRecords(c)
  const marked = markedVersions(records.versions, new Set([datasetId]))
  const models = [...new Set(records.versions.map((v) => v.modelId))]
  const out: WithdrawalRemedyDto['models'] = []
  for (const modelId of models) {
    const versions = await listVersions(c, modelId)
    const isMarked = (id: bigint) => marked.has(`${modelId}@${id}`)
    const hit = versions.filter((v) => isMarked(v.id) && v.status !== 'revoked')
    if (hit.length === 0) continue
    const clean = versions.filter((v) => v.status === 'published' && !isMarked(v.id)).at(-1)
    const m = await getModelContracts(c, modelId)
    const contracts = { registry: c.deployment.modelRegistry, shares: m.shares, timelock: m.timelock }
    const used = records.versions.filter((v) => v.modelId === modelId && v.datasets.includes(datasetId))
    const keep = [...new Set(used.flatMap((v) => v.datasets))].filter((d) => d !== datasetId).map(String)
    out.push({
      modelId: modelId.toString(),
      markedVersions: hit.map((v) => v.id.toString()),
      lastCleanVersion: clean?.id.toString(),
      lastCleanContentRoot: clean?.contentRoot,
      revoke: hit.map((v) => {
        const call = revokeVersionCall(contracts, modelId, v.id)
        return {
          versionId: v.id.toString(),
          command: `commons propose revoke-version --model ${modelId} --version ${v.id} --description "Revoke version ${v.id}: trained with withdrawn dataset ${datasetId}"`,
          call: { target: call.target, value: call.value.toString(), data: call.data },
        }
      }),
      retrain: {
        command: `commons train start --spec <spec.json> --base <GGUF of ${clean === undefined ? 'the base model' : `version ${clean.id}`}>`,
        specChanges: {
          modelId: modelId.toString(),
          baseVersionId: clean?.id.toString() ?? '0',
          ...(clean === undefined ? {} : { baseContentRoot: clean.contentRoot }),
          'data.datasets': keep,
        },
      },
    })
  }
  return { datasetId: datasetId.toString(), models: out }
}
