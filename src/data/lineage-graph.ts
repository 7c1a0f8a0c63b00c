/** A version produced by a training job, with the datasets its rounds recorded. */
export interface TrainedVersion {
  modelId: bigint
  versionId: bigint
  jobId: bigint
  /** The registry version the job started from (0n: not a registered version). */
  baseVersionId: bigint
  /** Every dataset any round of the job recorded. */
  datasets: bigint[]
}

export function versionKey(modelId: bigint, versionId: bigint): string {
  return `${modelId}@${versionId}`
}

/**
 * For each trained version, the withdrawn datasets it carries: those its own rounds used, and those its base
 * version carries (a model trained from a marked version still holds what the data taught it). Pure.
 * @example markedVersions([{ modelId: 1n, versionId: 2n, jobId: 1n, baseVersionId: 1n, datasets: [7n] }], new Set([7n])) // '1@2' → [7n]
 */
export function markedVersions(
  versions: readonly TrainedVersion[],
  withdrawn: ReadonlySet<bigint>,
): Map<string, bigint[]> {
  const byKey = new Map(versions.map((v) => [versionKey(v.modelId, v.versionId), v]))
  const memo = new Map<string, bigint[]>()
  const visit = (key: string, depth: number): bigint[] => {
    const known = memo.get(key)
    if (known !== undefined) return known
    const v = byKey.get(key)
    if (v === undefined || depth > 256) return []
    memo.set(key, []) // a cycle (impossible on chain: a base precedes its job) ends here
    const own = v.datasets.filter((d) => withdrawn.has(d))
    const inherited = v.baseVersionId === 0n ? [] : visit(versionKey(v.modelId, v.baseVersionId), depth + 1)
    const all = [...new Set([...own, ...inherited])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    memo.set(key, all)
    return all
  }
  const out = new Map<string, bigint[]>()
  for (const key of byKey.keys()) {
    const marks = visit(key, 0)
    if (marks.length > 0) out.set(key, marks)
  }
  return out
}
