import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'

/** A model's name and contract addresses: fixed at creation, so callers may cache them. */
export interface ModelContractsRef {
  id: bigint
  name: string
  shares: `0x${string}`
  timelock: `0x${string}`
  governor: `0x${string}`
}

/** Reads a model's contract addresses. Throws ContractRevertedError(RegistryUnknownModel) for an unknown id. */
export async function getModelContracts(c: ChainReader, modelId: bigint): Promise<ModelContractsRef> {
  try {
    const m = await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'getModel',
      args: [modelId],
    })
    return { id: modelId, name: m.name, shares: m.shares, timelock: m.timelock, governor: m.governor }
  } catch (err) {
    throw translateChainError(err, `Reading model ${modelId}`)
  }
}
