import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeEscrow } from './escrow-write.ts'

/** Deposits native currency into the UsageEscrow for the writer's account (the consumer). */
export async function depositToEscrow(c: ChainWriter, amountWei: bigint): Promise<Hash> {
  return (await writeEscrow(c, 'Depositing into the usage escrow', 'deposit', [], amountWei)).transactionHash
}
