import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeEscrow } from './escrow-write.ts'

/** Pays out a requested withdrawal once its delay has passed (WithdrawalNotReady before). */
export async function withdrawFromEscrow(c: ChainWriter): Promise<Hash> {
  return (await writeEscrow(c, 'Withdrawing from the usage escrow', 'withdraw', [])).transactionHash
}
