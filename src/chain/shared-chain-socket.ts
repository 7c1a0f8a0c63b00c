import { rm } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { Logger } from '../log.ts'
import { SHARED_CHAIN_MAX_LINE_BYTES } from './constants.ts'

/** What the shared socket asks of the chain it fronts. */
export interface SharedChainComponents {
  /** anvil's own IPC socket, where every allowed request is forwarded unchanged. */
  upstreamPath: string
  /** Journals every block up to `block` (fsynced) before the caller learns it is mined. */
  journalThrough(block: number): Promise<void>
  /** Journals every block mined so far. */
  journalHead(): Promise<void>
  /** Journals a balance the devnet set (members get gas this way). */
  journalBalance(address: `0x${string}`, wei: bigint): Promise<void>
  log: Logger
}

/**
 * Methods other members may call: the standard ones, and the devnet's time and gas helpers. Anything that
 * could undo what a member confirmed (evm_revert, anvil_reset, anvil_loadState, anvil_setCode…) is refused.
 */
export function isSharedMethodAllowed(method: string): boolean {
  if (/^(eth|net|web3)_[A-Za-z]+$/.test(method)) return true
  return ['evm_mine', 'evm_increaseTime', 'anvil_mine', 'anvil_setBalance'].includes(method)
}

/** Methods whose answer reports a mined block: journal it before the answer goes out. */
const MINING = new Set(['evm_mine', 'anvil_mine', 'eth_sendRawTransaction', 'eth_sendTransaction'])

/**
 * Shares the embedded chain with the other members of a local commons on a Unix socket at a stable path.
 * Each connection is a line-by-line JSON-RPC pipe to anvil, with one difference: an answer that tells a
 * member a transaction was mined (its receipt, or the hash of a sent transaction) is held until the block
 * is journaled, so whatever any member saw confirmed survives a kill -9 of the host.
 */
export async function shareChainSocket(
  path: string,
  c: SharedChainComponents,
): Promise<{ close(): Promise<void> }> {
  // A socket file left by a host killed with -9: the data dir is ours alone (the node refuses to start twice).
  await rm(path, { force: true })
  const clients = new Set<Socket>()
  const server: Server = createServer((client) => {
    clients.add(client)
    client.on('close', () => clients.delete(client))
    pipe(client, c)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(path, () => resolve())
  })
  return {
    close: async () => {
      for (const s of clients) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(path, { force: true })
    },
  }
}

type RpcRequest = { id?: unknown; method?: unknown; params?: unknown }

function pipe(client: Socket, c: SharedChainComponents): void {
  const upstream = connect(c.upstreamPath)
  const pending = new Map<string, { method: string; params: unknown }>()
  const reply = (line: string) => {
    if (!client.destroyed) client.write(`${line}\n`)
  }
  const fail = (id: unknown, code: number, message: string) =>
    reply(JSON.stringify({ jsonrpc: '2.0', id: id ?? null, error: { code, message } }))
  upstream.on('error', () => client.destroy())
  upstream.on('close', () => client.destroy())
  client.on('error', () => upstream.destroy())
  client.on('close', () => upstream.destroy())

  splitLines(
    client,
    (line) => {
      let req: RpcRequest
      try {
        req = JSON.parse(line) as RpcRequest
      } catch {
        return fail(null, -32700, 'not JSON')
      }
      if (typeof req !== 'object' || req === null || Array.isArray(req) || typeof req.method !== 'string') {
        return fail(null, -32600, 'one JSON-RPC request object per line (no batches)')
      }
      if (!isSharedMethodAllowed(req.method)) {
        return fail(req.id, -32601, `${req.method} is not allowed on the shared local chain`)
      }
      pending.set(JSON.stringify(req.id ?? null), { method: req.method, params: req.params })
      upstream.write(`${line}\n`)
    },
    SHARED_CHAIN_MAX_LINE_BYTES,
    () => client.destroy(),
  )

  // Answers go back in the order anvil gave them, each after its journaling.
  let tail = Promise.resolve()
  splitLines(
    upstream,
    (line) => {
      let answer: { id?: unknown; result?: unknown; error?: unknown }
      try {
        answer = JSON.parse(line)
      } catch {
        return client.destroy()
      }
      const key = JSON.stringify(answer.id ?? null)
      const req = pending.get(key)
      pending.delete(key)
      tail = tail.then(async () => {
        try {
          if (req && answer.error === undefined) await journalFor(req, answer.result, c)
          reply(line)
        } catch (err) {
          c.log.warn({ err, method: req?.method }, 'could not journal a mined block for a member')
          fail(answer.id, -32603, 'the shared chain could not journal this block; retry')
        }
      })
    },
    Number.POSITIVE_INFINITY,
    () => client.destroy(),
  )
}

async function journalFor(
  req: { method: string; params: unknown },
  result: unknown,
  c: SharedChainComponents,
): Promise<void> {
  if (req.method === 'eth_getTransactionReceipt') {
    const block = (result as { blockNumber?: unknown } | null)?.blockNumber
    if (typeof block === 'string') await c.journalThrough(Number.parseInt(block, 16))
  } else if (MINING.has(req.method)) await c.journalHead()
  else if (req.method === 'anvil_setBalance') {
    const [address, wei] = Array.isArray(req.params) ? req.params : []
    if (typeof address === 'string' && typeof wei === 'string') {
      await c.journalBalance(address as `0x${string}`, BigInt(wei))
    }
  }
}

/** Calls `onLine` per newline-terminated line; a line longer than the bound ends the connection. */
function splitLines(
  socket: Socket,
  onLine: (line: string) => void,
  maxBytes: number,
  onTooLong: () => void,
): void {
  let buffered = ''
  socket.setEncoding('utf8')
  socket.on('data', (chunk: string) => {
    buffered += chunk
    let newline = buffered.indexOf('\n')
    while (newline !== -1) {
      const line = buffered.slice(0, newline).trim()
      buffered = buffered.slice(newline + 1)
      if (line !== '') onLine(line)
      newline = buffered.indexOf('\n')
    }
    if (buffered.length > maxBytes) {
      buffered = ''
      onTooLong()
    }
  })
}
