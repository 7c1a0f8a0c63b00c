import { type AddressInfo, createServer } from 'node:net'

/** A JSON-RPC caller over HTTP for a test chain: the result, or an error naming the method. */
export function jsonRpc(rpcUrl: string): (method: string, params?: unknown[]) => Promise<unknown> {
  let id = 0
  return async (method, params = []) => {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: ++id, method, params }),
    })
    const body = (await res.json()) as { result?: unknown; error?: { message: string } }
    if (body.error) throw new Error(`${method}: ${body.error.message}`)
    return body.result
  }
}

/** A loopback port nothing listens on (free now; a test may start something on it or show it closed). */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return port
}
