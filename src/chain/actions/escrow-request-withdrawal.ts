import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { writeEscrow } from './escrow-write.ts'

/** Starts the withdrawal delay (1 day) for part of the deposit; providers may still redeem during it. */
export async function requestEscrowWithdrawal(c: ChainWriter, amountWei: bigint): Promise<Hash> {
  return (
    await writeEscrow(c, 'Requesting a withdrawal from the usage escrow', 'requestWithdrawal', [amountWei])
  ).transactionHash
}
