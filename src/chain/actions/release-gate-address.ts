import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'

/** The ReleaseGate's address: from the deployment, else asked of the ModelRegistry that created it. */
export async function releaseGateAddress(c: ChainReader): Promise<`0x${string}`> {
  if (c.deployment.releaseGate !== undefined) return c.deployment.releaseGate
  try {
    return await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'releaseGate',
    })
  } catch (err) {
    throw translateChainError(err, 'Finding the ReleaseGate of the ModelRegistry')
  }
}
