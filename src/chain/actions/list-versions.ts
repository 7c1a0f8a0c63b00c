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
    return versions.map((v, i) => ({
      modelId,
      id: BigInt(i + 1),
      contentRoot: v.contentRoot,
      format: v.format,
      size: v.size,
      cardURI: v.cardURI,
      status: VERSION_STATUSES[v.status] ?? 'none',
      proposer: v.proposer,
      proposedAt: v.proposedAt,
      decidedAt: v.decidedAt,
    }))
  } catch (err) {
    throw translateChainError(err, `Listing versions of model ${modelId}`)
  }
}
