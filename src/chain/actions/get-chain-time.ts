import type { ChainReader } from '../chain-client.ts'

/** The timestamp (s) of the latest block, or of the block with the given hash. */
export async function getChainTime(c: ChainReader, blockHash?: `0x${string}`): Promise<bigint> {
  const block = await (blockHash === undefined ? c.public.getBlock() : c.public.getBlock({ blockHash }))
  return block.timestamp
}
