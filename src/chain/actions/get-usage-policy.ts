import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'
import type { UsagePolicy } from '../types.ts'

/** A model's usage policy as the registry keeps it. Throws ContractRevertedError(RegistryUnknownModel). */
export async function getUsagePolicy(c: ChainReader, modelId: bigint): Promise<UsagePolicy> {
  try {
    const p = await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'getPolicy',
      args: [modelId],
    })
    return { ...p }
  } catch (err) {
    throw translateChainError(err, `Reading the usage policy of model ${modelId}`)
  }
}
