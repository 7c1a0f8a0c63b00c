import ganache from 'ganache'
import { generatePrivateKey } from 'viem/accounts'

/** A second, independent EVM implementation (ganache: the ethereumjs VM, pure JS) serving HTTP JSON-RPC. */
export interface GanacheChain extends AsyncDisposable {
  rpcUrl: string
  port: number
  chainId: number
  rpc(method: string, params?: unknown[]): Promise<unknown>
  fund(address: `0x${string}`, wei: bigint): Promise<void>
  /** Moves chain time forward and mines a block (evm_increaseTime + evm_mine). */
  warp(seconds: number): Promise<void>
  mine(): Promise<void>
  stop(): Promise<void>
}

/**
 * Starts ganache in this process on a free loopback port. The contracts are compiled for cancun; ganache's
 * newest hardfork is shanghai, which runs them as long as they use no cancun-only opcode (the test proves it).
 */
export async function startGanache(opts: { chainId?: number } = {}): Promise<GanacheChain> {
  const chainId = opts.chainId ?? 1338
  const server = ganache.server({
    logging: { quiet: true },
    chain: { chainId, hardfork: 'shanghai' },
    // One throw-away account: the tests fund their own keys with evm_setAccountBalance.
    wallet: { accounts: [{ secretKey: generatePrivateKey(), balance: 0 }] },
  } as never)
  await server.listen(0, '127.0.0.1')
  const port = (server.address() as { port: number }).port
  const rpcUrl = `http://127.0.0.1:${port}`
  let id = 0
  const rpc = async (method: string, params: unknown[] = []) => {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    })
    const body = (await res.json()) as { result?: unknown; error?: { message: string } }
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
    return body.result
  }
  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    await server.close()
  }
  return {
    rpcUrl,
    port,
    chainId,
    rpc,
    fund: async (address, wei) => {
      await rpc('evm_setAccountBalance', [address, `0x${wei.toString(16)}`])
    },
    warp: async (seconds) => {
      await rpc('evm_increaseTime', [seconds])
      await rpc('evm_mine', [])
    },
    mine: async () => {
      await rpc('evm_mine', [])
    },
    stop,
    [Symbol.asyncDispose]: stop,
  }
}
