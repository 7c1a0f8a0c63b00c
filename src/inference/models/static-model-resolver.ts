import { ModelNotFoundError } from '../../errors.ts'
import type { ModelResolver, ResolvedModel } from './model-resolver.ts'
import { parseModelRef } from './model-resolver.ts'

/**
 * A fixed list of model versions (tests, demos without a chain). The highest versionId of a name is its latest.
 * @example
 * new StaticModelResolver([{ modelName: 'tiny', modelId: '1', versionId: '1', contentRoot, created: 0 }])
 */
export class StaticModelResolver implements ModelResolver {
  constructor(private readonly versions: readonly ResolvedModel[]) {}

  async resolve(model: string): Promise<ResolvedModel> {
    const { name, version } = parseModelRef(model)
    const matches = this.versions
      .filter((v) => v.modelName === name || v.modelId === name)
      .filter((v) => version === undefined || v.versionId === version)
      .sort((a, b) => Number(BigInt(b.versionId) - BigInt(a.versionId)))
    const found = matches[0]
    if (found === undefined) throw notFound(model)
    return found
  }

  async list(): Promise<ResolvedModel[]> {
    const latest = new Map<string, ResolvedModel>()
    for (const v of this.versions) {
      const cur = latest.get(v.modelName)
      if (cur === undefined || BigInt(v.versionId) > BigInt(cur.versionId)) latest.set(v.modelName, v)
    }
    return [...latest.values()]
  }
}

/** The error for a model string that names no published version. */
export function notFound(model: string): ModelNotFoundError {
  return new ModelNotFoundError(
    `The model '${model}' does not exist or has no published version; list models with GET /v1/models.`,
    { details: { param: 'model' } },
  )
}
