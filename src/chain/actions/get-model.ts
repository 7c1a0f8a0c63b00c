import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelGovernor, ModelRegistry, ModelShares, ModelTimelock } from '../generated/artifacts.ts'
import type { ModelInfo } from '../types.ts'

/** Reads a model, its policy, supply and governance settings. Throws ContractRevertedError(RegistryUnknownModel). */
export async function getModel(c: ChainReader, modelId: bigint): Promise<ModelInfo> {
  try {
    const registry = { address: c.deployment.modelRegistry, abi: ModelRegistry.abi } as const
    const [m, policy, latest] = await Promise.all([
      c.public.readContract({ ...registry, functionName: 'getModel', args: [modelId] }),
      c.public.readContract({ ...registry, functionName: 'getPolicy', args: [modelId] }),
      c.public.readContract({ ...registry, functionName: 'latestPublishedVersion', args: [modelId] }),
    ])
    const governor = { address: m.governor, abi: ModelGovernor.abi } as const
    const [totalShares, votingDelay, votingPeriod, quorumPercent, timelockDelay] = await Promise.all([
      c.public.readContract({ address: m.shares, abi: ModelShares.abi, functionName: 'totalSupply' }),
      c.public.readContract({ ...governor, functionName: 'votingDelay' }),
      c.public.readContract({ ...governor, functionName: 'votingPeriod' }),
      c.public.readContract({ ...governor, functionName: 'quorumNumerator' }),
      c.public.readContract({ address: m.timelock, abi: ModelTimelock.abi, functionName: 'getMinDelay' }),
    ])
    return {
      id: modelId,
      name: m.name,
      cardURI: m.cardURI,
      shares: m.shares,
      timelock: m.timelock,
      governor: m.governor,
      creator: m.creator,
      createdAt: m.createdAt,
      totalShares,
      policy: {
        open: policy.open,
        promptPricePer1k: policy.promptPricePer1k,
        completionPricePer1k: policy.completionPricePer1k,
        requestsPerMinute: policy.requestsPerMinute,
        termsURI: policy.termsURI,
        termsHash: policy.termsHash,
      },
      latestPublishedVersion: latest,
      settings: { votingDelay, votingPeriod, quorumPercent, timelockDelay },
    }
  } catch (err) {
    throw translateChainError(err, `Reading model ${modelId}`)
  }
}
