import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeEscrow } from './escrow-write.ts'

/** The serving node (the writer's account) takes its share of redeemed revenue. */
export async function claimNodeRevenue(c: ChainWriter): Promise<Hash> {
  return (await writeEscrow(c, 'Claiming serving revenue', 'claimNodeRevenue', [])).transactionHash
}
