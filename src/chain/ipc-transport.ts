import { connect, type Socket } from 'node:net'
import { custom, type EIP1193RequestFn, RpcRequestError, type Transport } from 'viem'
import { ChainUnavailableError } from './errors.ts'

/**
 * A JSON-RPC transport over a node's IPC socket (anvil, geth, reth): one connection per transport,
 * requests matched by id, one response per line. The socket holds the process open only while a request
 * is pending, so an idle client never keeps a node or a test from exiting, and needs no close.
 */
export function ipcTransport(path: string, opts: { timeoutMs: number; retryCount: number }): Transport {
  const connection = new IpcConnection(path, opts.timeoutMs)
  return custom({ request: connection.request as EIP1193RequestFn }, { retryCount: opts.retryCount })
}

interface Pending {
  resolve(value: unknown): void
  reject(err: Error): void
  timer: NodeJS.Timeout
  body: { method: string; params?: unknown }
}

class IpcConnection {
  private socket: Socket | undefined
  private parts: string[] = []
  private nextId = 1
  private readonly pending = new Map<number, Pending>()

  constructor(
    private readonly path: string,
    private readonly timeoutMs: number,
  ) {}

  readonly request = ({ method, params }: { method: string; params?: unknown }): Promise<unknown> => {
    const id = this.nextId++
    const socket = this.open()
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id)?.reject(
          new ChainUnavailableError(
            `The chain at ${this.path} did not answer ${method} within ${this.timeoutMs} ms.`,
          ),
        )
      }, this.timeoutMs)
      timer.unref()
      this.pending.set(id, { resolve, reject, timer, body: { method, params } })
      socket.ref()
      socket.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? [] })}\n`)
    })
  }

  private open(): Socket {
    if (this.socket && !this.socket.destroyed) return this.socket
    const socket = connect(this.path)
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => this.onData(chunk))
    socket.on('error', (err) => this.failAll(err))
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined
      this.failAll(new Error('the connection closed'))
    })
    this.socket = socket
    this.parts = []
    return socket
  }

  private onData(chunk: string): void {
    // Scans each byte once: a multi-megabyte answer (a state dump) arrives in many chunks.
    let start = 0
    let newline = chunk.indexOf('\n')
    while (newline !== -1) {
      this.parts.push(chunk.slice(start, newline))
      const line = this.parts.join('').trim()
      this.parts = []
      if (line !== '') this.onMessage(line)
      start = newline + 1
      newline = chunk.indexOf('\n', start)
    }
    if (start < chunk.length) this.parts.push(chunk.slice(start))
  }

  private onMessage(line: string): void {
    let message: { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } }
    try {
      message = JSON.parse(line)
    } catch {
      this.socket?.destroy(new Error('the chain sent a line that is not JSON'))
      return
    }
    if (typeof message.id !== 'number') return
    const waiting = this.settle(message.id)
    if (!waiting) return
    if (message.error) {
      waiting.reject(new RpcRequestError({ body: waiting.body, error: message.error, url: this.path }))
    } else waiting.resolve(message.result)
  }

  private settle(id: number): Pending | undefined {
    const waiting = this.pending.get(id)
    if (!waiting) return undefined
    clearTimeout(waiting.timer)
    this.pending.delete(id)
    if (this.pending.size === 0) this.socket?.unref()
    return waiting
  }

  private failAll(err: Error): void {
    for (const id of [...this.pending.keys()]) {
      this.settle(id)?.reject(
        new ChainUnavailableError(`The chain at ${this.path} is unreachable: ${err.message}`, { cause: err }),
      )
    }
  }
}
