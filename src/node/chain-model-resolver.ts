import {
  type ChainReader,
  ContractRevertedError,
  findModelId,
  getModel,
  getVersion,
  listModels,
} from '../chain/index.ts'
import { type ModelResolver, modelNotFound, parseModelRef, type ResolvedModel } from '../inference/index.ts'

/** Resolves model names through the ModelRegistry: latest published version, or `name@version` if published. */
export class ChainModelResolver implements ModelResolver {
  constructor(private readonly c: { reader: ChainReader }) {}

  async resolve(model: string): Promise<ResolvedModel> {
    const { name, version } = parseModelRef(model)
    const id = await findModelId(this.c.reader, name)
    if (id === undefined) throw modelNotFound(model)
    let info: Awaited<ReturnType<typeof getModel>>
    try {
      info = await getModel(this.c.reader, id)
    } catch (err) {
      if (err instanceof ContractRevertedError) throw modelNotFound(model)
      throw err
    }
    const versionId = version === undefined ? info.latestPublishedVersion : BigInt(version)
    if (versionId === 0n) throw modelNotFound(model)
    let v: Awaited<ReturnType<typeof getVersion>>
    try {
      v = await getVersion(this.c.reader, id, versionId)
    } catch (err) {
      if (err instanceof ContractRevertedError) throw modelNotFound(model)
      throw err
    }
    if (v.status !== 'published') throw modelNotFound(model)
    return {
      modelName: info.name,
      modelId: id.toString(),
      versionId: versionId.toString(),
      contentRoot: v.contentRoot,
      created: Number(v.decidedAt),
    }
  }

  async list(): Promise<ResolvedModel[]> {
    const models = await listModels(this.c.reader)
    const published = models.filter((m) => m.latestPublishedVersion > 0n)
    return Promise.all(
      published.map(async (m) => {
        const v = await getVersion(this.c.reader, m.id, m.latestPublishedVersion)
        return {
          modelName: m.name,
          modelId: m.id.toString(),
          versionId: m.latestPublishedVersion.toString(),
          contentRoot: v.contentRoot,
          created: Number(v.decidedAt),
        }
      }),
    )
  }
}
