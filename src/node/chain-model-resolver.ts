import {
  type ChainReader,
  ChainUnavailableError,
  ContractRevertedError,
  findModelId,
  getModel,
  getVersion,
  listModels,
  listVersions,
  type VersionInfo,
} from '../chain/index.ts'
import { type ModelResolver, modelNotFound, parseModelRef, type ResolvedModel } from '../inference/index.ts'

/**
 * Resolves model names through the ModelRegistry: `name` → its latest published version, `name@version` →
 * that version if published. A latest version whose file did not load here (`unloadable`) is skipped for
 * the newest published one before it, so one bad release does not take the model dark.
 */
export class ChainModelResolver implements ModelResolver {
  /**
   * What each reference last resolved to, answered while the chain is unreachable: the node keeps serving
   * what it knew (a version published or revoked meanwhile takes effect when the chain answers again).
   */
  private readonly known = new Map<string, ResolvedModel>()
  private knownList: ResolvedModel[] | undefined

  constructor(private readonly c: { reader: ChainReader; unloadable?: (contentRoot: string) => boolean }) {}

  async resolve(model: string): Promise<ResolvedModel> {
    try {
      const found = await this.resolveOnChain(model)
      this.known.delete(model)
      this.known.set(model, found)
      if (this.known.size > MAX_KNOWN) this.known.delete(this.known.keys().next().value!)
      return found
    } catch (err) {
      const known = this.known.get(model)
      if (err instanceof ChainUnavailableError && known) return known
      throw err
    }
  }

  private async resolveOnChain(model: string): Promise<ResolvedModel> {
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
    let v: VersionInfo | undefined
    try {
      v = await getVersion(this.c.reader, id, versionId)
    } catch (err) {
      if (err instanceof ContractRevertedError) throw modelNotFound(model)
      throw err
    }
    if (v.status !== 'published') throw modelNotFound(model)
    if (version === undefined) v = await this.lastGood(id, v)
    if (v === undefined) throw modelNotFound(model)
    return resolved(info.name, v)
  }

  async list(): Promise<ResolvedModel[]> {
    try {
      this.knownList = await this.listOnChain()
      return this.knownList
    } catch (err) {
      if (err instanceof ChainUnavailableError && this.knownList) return this.knownList
      throw err
    }
  }

  private async listOnChain(): Promise<ResolvedModel[]> {
    const models = await listModels(this.c.reader)
    const published = models.filter((m) => m.latestPublishedVersion > 0n)
    const found = await Promise.all(
      published.map(async (m) => {
        const v = await this.lastGood(m.id, await getVersion(this.c.reader, m.id, m.latestPublishedVersion))
        return v && resolved(m.name, v)
      }),
    )
    return found.filter((r) => r !== undefined)
  }

  /** The latest version, or when it did not load here the newest published version before it that did not fail. */
  private async lastGood(modelId: bigint, latest: VersionInfo): Promise<VersionInfo | undefined> {
    const unloadable = this.c.unloadable
    if (unloadable === undefined || !unloadable(latest.contentRoot)) return latest
    return (await listVersions(this.c.reader, modelId))
      .filter((v) => v.status === 'published' && !unloadable(v.contentRoot))
      .sort((a, b) => Number(b.decidedAt - a.decidedAt) || Number(b.id - a.id))[0]
  }
}

/** Model references remembered for a chain outage (only ones that resolved: published versions). */
const MAX_KNOWN = 1_000

function resolved(modelName: string, v: VersionInfo): ResolvedModel {
  return {
    modelName,
    modelId: v.modelId.toString(),
    versionId: v.id.toString(),
    contentRoot: v.contentRoot,
    created: Number(v.decidedAt),
  }
}
