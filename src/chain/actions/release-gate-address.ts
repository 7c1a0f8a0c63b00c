import type { ChainReader } from '../chain-client.ts'
import { ContractRevertedError, DeploymentMissingError, translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'

/**
 * The ReleaseGate's address: from the deployment, else asked of the ModelRegistry that created it. A registry
 * deployed before release policies has none: DeploymentMissingError.
 */
export async function releaseGateAddress(c: ChainReader): Promise<`0x${string}`> {
  if (c.deployment.releaseGate !== undefined) return c.deployment.releaseGate
  try {
    return await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'releaseGate',
    })
  } catch (err) {
    const translated = translateChainError(err, 'Finding the ReleaseGate of the ModelRegistry')
    if (!(translated instanceof ContractRevertedError)) throw translated
    throw new DeploymentMissingError(
      'This ModelRegistry predates release policies (it has no ReleaseGate): redeploy the contracts to gate releases on evaluations.',
      { cause: err },
    )
  }
}
