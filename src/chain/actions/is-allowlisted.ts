import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'

/** Whether an account is on a model's allowlist (whatever the policy's `open` says). */
export async function isAllowlisted(
  c: ChainReader,
  p: { modelId: bigint; account: `0x${string}` },
): Promise<boolean> {
  try {
    return await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'allowlisted',
      args: [p.modelId, p.account],
    })
  } catch (err) {
    throw translateChainError(err, `Reading the allowlist of model ${p.modelId}`)
  }
}
