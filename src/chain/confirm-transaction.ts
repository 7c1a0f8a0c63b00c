import type { Hash, TransactionReceipt } from 'viem'
import type { ChainWriter } from './chain-client.ts'
import { ContractRevertedError, translateChainError } from './errors.ts'

/**
 * Sends a transaction (simulated first, so reverts surface with their custom error and nothing is sent),
 * waits for it to be mined, runs the confirmation hook, and only then returns the receipt.
 */
export async function confirmTransaction(
  c: ChainWriter,
  action: string,
  send: () => Promise<Hash>,
): Promise<TransactionReceipt> {
  let receipt: TransactionReceipt
  try {
    const hash = await send()
    receipt = await c.public.waitForTransactionReceipt({ hash })
  } catch (err) {
    throw translateChainError(err, action)
  }
  if (receipt.status !== 'success') {
    throw new ContractRevertedError(`${action} reverted in transaction ${receipt.transactionHash}.`, {
      details: { errorName: 'unknown', transactionHash: receipt.transactionHash },
    })
  }
  await c.onConfirmed?.(receipt)
  return receipt
}
