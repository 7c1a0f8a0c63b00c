import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'
import { VERSION_STATUSES, type VersionInfo } from '../types.ts'

/** Lists a model's versions, oldest first (version ids start at 1). */
export async function listVersions(c: ChainReader, modelId: bigint): Promise<VersionInfo[]> {
  try {
    const versions = await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'getVersions',
      args: [modelId],
    })
    return versions.map((v, i) => toVersionInfo(modelId, BigInt(i + 1), v))
  } catch (err) {
    throw translateChainError(err, `Listing versions of model ${modelId}`)
  }
}

/** Reads one version of a model. */
export async function getVersion(c: ChainReader, modelId: bigint, versionId: bigint): Promise<VersionInfo> {
  try {
    const v = await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'getVersion',
      args: [modelId, versionId],
    })
    return toVersionInfo(modelId, versionId, v)
  } catch (err) {
    throw translateChainError(err, `Reading version ${versionId} of model ${modelId}`)
  }
}

function toVersionInfo(
  modelId: bigint,
  id: bigint,
  v: {
    contentRoot: `0x${string}`
    format: string
    size: bigint
    cardURI: string
    status: number
    proposer: `0x${string}`
    proposedAt: bigint
    decidedAt: bigint
  },
): VersionInfo {
  return {
    modelId,
    id,
    contentRoot: v.contentRoot,
    format: v.format,
    size: v.size,
    cardURI: v.cardURI,
    status: VERSION_STATUSES[v.status] ?? 'none',
    proposer: v.proposer,
    proposedAt: v.proposedAt,
    decidedAt: v.decidedAt,
  }
}
