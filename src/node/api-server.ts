import type { AddressInfo } from 'node:net'
import { type ServerType, serve } from '@hono/node-server'
import { InvalidInputError } from '../errors.ts'
import { removeRuntimeInfo, writeRuntimeInfo } from './runtime-file.ts'

/** Where the API listens, and what the runtime file tells the CLI about this node. */
export interface ApiServerInit {
  host: string
  port: number
  /** The runtime file (`<data>/node.json`) written once the API listens. */
  runtimeFile: string
  rpcUrl: string
  address: `0x${string}`
}

/** The listening API. */
export interface ApiServer {
  apiUrl: string
  /** Removes the runtime file and closes the server. */
  close(): Promise<void>
}

/** Serves the app over HTTP and writes the runtime file so the CLI finds this node. */
export async function startApiServer(
  init: ApiServerInit,
  c: { fetch: (req: Request) => Response | Promise<Response> },
): Promise<ApiServer> {
  const server = await listen(c.fetch, init.host, init.port)
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  const { port } = server.address() as AddressInfo
  const apiUrl = `http://${init.host.includes(':') ? `[${init.host}]` : init.host}:${port}`
  try {
    await writeRuntimeInfo(init.runtimeFile, {
      pid: process.pid,
      apiUrl,
      rpcUrl: init.rpcUrl,
      address: init.address,
      startedAt: new Date().toISOString(),
    })
  } catch (err) {
    await close()
    throw err
  }
  return {
    apiUrl,
    close: async () => {
      await removeRuntimeInfo(init.runtimeFile)
      await close()
    },
  }
}

function listen(
  fetch: (req: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server))
    server.once('error', (err) =>
      reject(
        new InvalidInputError(`Cannot listen on ${hostname}:${port}: ${err.message}. Use --port.`, {
          cause: err,
        }),
      ),
    )
  })
}
