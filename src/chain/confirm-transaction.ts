import type { Hash, TransactionReceipt } from 'viem'
import { awaitLocalReceipt } from './await-receipt.ts'
import type { ChainWriter } from './chain-client.ts'
import { ContractRevertedError, translateChainError } from './errors.ts'

/**
 * Sends a transaction (simulated first, so reverts surface with their custom error and nothing is sent),
 * waits for it to be mined, runs the confirmation hook (for a reverted transaction too), and only then
 * returns the receipt.
 */
export async function confirmTransaction(
  c: ChainWriter,
  action: string,
  send: () => Promise<Hash>,
): Promise<TransactionReceipt> {
  let receipt: TransactionReceipt
  try {
    const hash = await send()
    receipt = c.localChain
      ? await awaitLocalReceipt(c.public, hash)
      : await c.public.waitForTransactionReceipt({ hash })
  } catch (err) {
    throw translateChainError(err, action)
  }
  // The hook (the embedded chain's journal) sees every mined transaction, reverted ones too: a reverted
  // transaction consumed its sender's nonce, so a replay without it would refuse every later one.
  await c.onConfirmed?.(receipt)
  if (receipt.status !== 'success') {
    throw new ContractRevertedError(`${action} reverted in transaction ${receipt.transactionHash}.`, {
      details: { errorName: 'unknown', transactionHash: receipt.transactionHash },
    })
  }
  return receipt
}
