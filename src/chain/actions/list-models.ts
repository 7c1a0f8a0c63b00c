import { keccak256, toBytes } from 'viem'
import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { ModelRegistry } from '../generated/artifacts.ts'
import type { ModelInfo } from '../types.ts'
import { getModel } from './get-model.ts'

/** Lists every model in the registry, oldest first. */
export async function listModels(c: ChainReader): Promise<ModelInfo[]> {
  let count: bigint
  try {
    count = await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'modelCount',
    })
  } catch (err) {
    throw translateChainError(err, 'Listing models')
  }
  const ids = Array.from({ length: Number(count) }, (_, i) => BigInt(i + 1))
  return Promise.all(ids.map((id) => getModel(c, id)))
}

/** Finds a model by id (`3`) or by exact name; returns undefined when there is none. */
export async function findModelId(c: ChainReader, idOrName: string): Promise<bigint | undefined> {
  if (/^\d+$/.test(idOrName)) return BigInt(idOrName)
  let id: bigint
  try {
    id = await c.public.readContract({
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'modelIdByNameHash',
      args: [keccak256(toBytes(idOrName))],
    })
  } catch (err) {
    throw translateChainError(err, `Looking up model ${idOrName}`)
  }
  return id === 0n ? undefined : id
}
