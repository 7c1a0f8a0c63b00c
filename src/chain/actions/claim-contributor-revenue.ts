import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeEscrow } from './escrow-write.ts'

/** A training contributor (the writer's account) takes its share of a version's contributor revenue. */
export async function claimContributorRevenue(
  c: ChainWriter,
  p: { modelId: bigint; versionId: bigint },
): Promise<Hash> {
  return (
    await writeEscrow(c, 'Claiming contributor revenue', 'claimContributorRevenue', [p.modelId, p.versionId])
  ).transactionHash
}
