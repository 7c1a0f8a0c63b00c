import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'

/** The published version of a content root in a model, or 0n when none is (candidates do not count). */
export async function getPublishedVersionId(
  c: ChainReader,
  p: { modelId: bigint; contentRoot: `0x${string}` },
): Promise<bigint> {
  try {
    return await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'publishedVersionOf',
      args: [p.modelId, p.contentRoot],
    })
  } catch (err) {
    throw translateChainError(err, `Looking up a version of model ${p.modelId}`)
  }
}
