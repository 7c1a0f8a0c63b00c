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

/** The EIP-712 `Acceptance` a consumer signs to accept a model's terms without gas (a node relays it). */
export function termsAcceptanceTypedData(p: {
  chainId: number
  usageTerms: `0x${string}`
  modelId: bigint
  consumer: `0x${string}`
  termsHash: `0x${string}`
  deadline: bigint
}) {
  return {
    domain: {
      name: 'Model Commons usage terms',
      version: '1',
      chainId: p.chainId,
      verifyingContract: p.usageTerms,
    },
    types: {
      Acceptance: [
        { name: 'modelId', type: 'uint256' },
        { name: 'consumer', type: 'address' },
        { name: 'termsHash', type: 'bytes32' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Acceptance',
    message: { modelId: p.modelId, consumer: p.consumer, termsHash: p.termsHash, deadline: p.deadline },
  } as const
}

/** Relays a consumer's signed acceptance (simulated first: a bad signature or stale hash sends nothing). */
export async function relayTermsAcceptance(
  c: ChainWriter,
  p: {
    modelId: bigint
    consumer: `0x${string}`
    termsHash: `0x${string}`
    deadline: bigint
    signature: `0x${string}`
  },
): Promise<`0x${string}`> {
  const address = c.deployment.usageTerms
  if (address === undefined) {
    throw new DeploymentMissingError(
      'This deployment has no UsageTerms contract; redeploy the contracts to accept terms.',
    )
  }
  const receipt = await confirmTransaction(c, 'Relaying the acceptance of the usage terms', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: UsageTerms.abi,
      functionName: 'acceptBySig',
      args: [p.modelId, p.consumer, p.termsHash, p.deadline, p.signature],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
