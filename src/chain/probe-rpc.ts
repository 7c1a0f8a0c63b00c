import { createPublicClient } from 'viem'
import { chainTransport } from './chain-transport.ts'
import { RpcUnreachableError, WrongChainIdError } from './errors.ts'

/**
 * Asks an RPC endpoint for its chain id: throws RpcUnreachableError when it does not answer in time, and
 * WrongChainIdError when it serves another chain than `expectedChainId`.
 */
export async function probeRpc(
  rpcUrl: string,
  opts: { expectedChainId?: number; timeoutMs?: number } = {},
): Promise<number> {
  const client = createPublicClient({
    transport: chainTransport(rpcUrl, { timeoutMs: opts.timeoutMs ?? 10_000, retryCount: 1 }),
  })
  let chainId: number
  try {
    chainId = await client.getChainId()
  } catch (err) {
    throw new RpcUnreachableError(
      `The chain RPC at ${rpcUrl} does not answer (${(err as Error).message.split('\n')[0]}). Check the URL, that the node behind it runs, and your network; then try again.`,
      { cause: err, details: { rpcUrl } },
    )
  }
  if (opts.expectedChainId !== undefined && chainId !== opts.expectedChainId) {
    throw new WrongChainIdError(
      `The RPC at ${rpcUrl} serves chain ${chainId}, not the expected chain ${opts.expectedChainId}: point --rpc at the right network, or fix --chain-id.`,
      { details: { rpcUrl, chainId, expectedChainId: opts.expectedChainId } },
    )
  }
  return chainId
}
