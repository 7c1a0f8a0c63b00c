import {
  formatTransactionReceipt,
  type Hash,
  type PublicClient,
  type RpcTransactionReceipt,
  type TransactionReceipt,
  WaitForTransactionReceiptTimeoutError,
} from 'viem'

/** How long a receipt is waited for at most (viem's own default for waitForTransactionReceipt). */
const RECEIPT_TIMEOUT_MS = 180_000

/**
 * Waits for a transaction's receipt on a chain that mines a transaction as it arrives (a devnet on this
 * machine): asks at once, then after 1, 2, 4 ... ms up to the client's polling interval. viem's
 * waitForTransactionReceipt asks once and then waits a whole polling interval for the next block number, so
 * a transaction mined a fraction of a millisecond after the first ask waited the full interval (50 ms on a
 * local chain; a lifecycle step swung between 5 and 55 ms on that race). Asks with the raw JSON-RPC call: a
 * receipt not there yet is `null`, not a viem error built (with its stack) on every ask.
 */
export async function awaitLocalReceipt(client: PublicClient, hash: Hash): Promise<TransactionReceipt> {
  const deadline = performance.now() + RECEIPT_TIMEOUT_MS
  waiting++
  try {
    for (let delay = 1; ; delay *= 2) {
      const raw = (await client.request({
        method: 'eth_getTransactionReceipt',
        params: [hash],
      })) as RpcTransactionReceipt | null
      if (raw) return formatTransactionReceipt(raw)
      if (performance.now() > deadline) throw new WaitForTransactionReceiptTimeoutError({ hash })
      // Many waiting at once (a burst): each asks less often, so together they ask about once a ms and do
      // not slow the chain that is mining their transactions.
      const wait = Math.min(Math.max(delay, waiting), client.pollingInterval)
      await new Promise((resolve) => setTimeout(resolve, wait))
    }
  } finally {
    waiting--
  }
}

/** Receipts being waited for in this process. */
let waiting = 0
