/** A model version a request names, resolved to the content root that identifies it on the network. */
export interface ResolvedModel {
  modelName: string
  /** Registry model id (decimal). */
  modelId: string
  /** Published version id (decimal). */
  versionId: string
  /** 32-byte content root (`0x…`). */
  contentRoot: string
  /** Unix seconds the version was published (0 when unknown). */
  created: number
}

/**
 * Resolves OpenAI `model` strings: `name` (or id) → its latest published version, `name@version` → that
 * version (which must be published). Throws ModelNotFoundError.
 */
export interface ModelResolver {
  resolve(model: string, options?: { signal?: AbortSignal }): Promise<ResolvedModel>
  /** Every model with a published version, at its latest one. */
  list(options?: { signal?: AbortSignal }): Promise<ResolvedModel[]>
}

/** Splits `name@version` (version digits only); `name` alone has no version. */
export function parseModelRef(model: string): { name: string; version: string | undefined } {
  const at = model.lastIndexOf('@')
  if (at > 0 && /^\d+$/.test(model.slice(at + 1)))
    return { name: model.slice(0, at), version: model.slice(at + 1) }
  return { name: model, version: undefined }
}
