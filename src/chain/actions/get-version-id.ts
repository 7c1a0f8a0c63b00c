import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'

/** The version id a content root was recorded under for a model, or 0n when it was never recorded. */
export async function getVersionId(
  c: ChainReader,
  p: { modelId: bigint; contentRoot: `0x${string}` },
): Promise<bigint> {
  try {
    return await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'versionIdOf',
      args: [p.modelId, p.contentRoot],
    })
  } catch (err) {
    throw translateChainError(err, `Looking up a version of model ${p.modelId}`)
  }
}
