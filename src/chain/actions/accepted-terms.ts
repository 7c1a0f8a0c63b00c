import type { ChainReader, ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { DeploymentMissingError, translateChainError } from '../errors.ts'
import { UsageTerms } from '../generated/artifacts.ts'

const ZERO_HASH = `0x${'0'.repeat(64)}` as const

/** The terms hash an account accepted last for a model (zero hash when none, or when this deployment has no UsageTerms). */
export async function getAcceptedTerms(
  c: ChainReader,
  p: { modelId: bigint; account: `0x${string}` },
): Promise<`0x${string}`> {
  const address = c.deployment.usageTerms
  if (address === undefined) return ZERO_HASH
  try {
    return await c.public.readContract({
      address,
      abi: UsageTerms.abi,
      functionName: 'acceptedTerms',
      args: [p.modelId, p.account],
    })
  } catch (err) {
    throw translateChainError(err, `Reading the terms accepted for model ${p.modelId}`)
  }
}

/** The writer's account accepts the model's terms in force, named by their hash. */
export async function acceptTerms(
  c: ChainWriter,
  p: { modelId: bigint; termsHash: `0x${string}` },
): Promise<`0x${string}`> {
  const address = c.deployment.usageTerms
  if (address === undefined) {
    throw new DeploymentMissingError(
      'This deployment has no UsageTerms contract; redeploy the contracts to accept terms.',
    )
  }
  const receipt = await confirmTransaction(c, 'Accepting the usage terms', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: UsageTerms.abi,
      functionName: 'accept',
      args: [p.modelId, p.termsHash],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
