import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net'

/** A TCP proxy on a loopback port to `target`, which a test can cut (the far side looks down) and restore. */
export interface TcpProxy extends AsyncDisposable {
  port: number
  url: string
  cut(): Promise<void>
  restore(): Promise<void>
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const open = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer((client) => {
        const upstream = connect(target.port, target.host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream).pipe(client)
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve(server))
    })
  let server: Server | undefined = await open(0)
  const port = (server.address() as AddressInfo).port
  const cut = async () => {
    const s = server
    server = undefined
    for (const sock of sockets) sock.destroy()
    if (s) await new Promise((r) => s.close(r))
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    cut,
    restore: async () => {
      server ??= await open(port)
    },
    [Symbol.asyncDispose]: cut,
  }
}
