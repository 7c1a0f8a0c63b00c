import {
  type Hash,
  type PublicClient,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
  WaitForTransactionReceiptTimeoutError,
} from 'viem'

/** How long a receipt is waited for at most (viem's own default for waitForTransactionReceipt). */
const RECEIPT_TIMEOUT_MS = 180_000

/**
 * Waits for a transaction's receipt on a chain that mines a transaction as it arrives (a devnet on this
 * machine): asks at once, then after 1, 2, 4 ... ms up to the client's polling interval. viem's
 * waitForTransactionReceipt asks once and then waits a whole polling interval for the next block number, so
 * a transaction mined a fraction of a millisecond after the first ask waited the full interval (50 ms on a
 * local chain; a lifecycle step swung between 5 and 55 ms on that race).
 */
export async function awaitLocalReceipt(client: PublicClient, hash: Hash): Promise<TransactionReceipt> {
  const deadline = performance.now() + RECEIPT_TIMEOUT_MS
  for (let delay = 1; ; delay = Math.min(delay * 2, client.pollingInterval)) {
    const receipt = await client.getTransactionReceipt({ hash }).catch((err: unknown) => {
      if (err instanceof TransactionReceiptNotFoundError) return undefined
      throw err
    })
    if (receipt !== undefined) return receipt
    if (performance.now() > deadline) throw new WaitForTransactionReceiptTimeoutError({ hash })
    await new Promise((resolve) => setTimeout(resolve, delay))
  }
}
