import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { UsageEscrow } from '../generated/artifacts.ts'
import { usageEscrowAddress } from './usage-escrow-address.ts'

/** A model's revenue split in basis points (sum 10000). */
export interface RevenueSplit {
  node: number
  owners: number
  contributors: number
  treasury: number
}

/** Reads a model's split (the default 1000/7000/1500/500 until its governance sets one). */
export async function getRevenueSplit(c: ChainReader, modelId: bigint): Promise<RevenueSplit> {
  try {
    return await c.public.readContract({
      address: usageEscrowAddress(c),
      abi: UsageEscrow.abi,
      functionName: 'getRevenueSplit',
      args: [modelId],
    })
  } catch (err) {
    throw translateChainError(err, `Reading the revenue split of model ${modelId}`)
  }
}
