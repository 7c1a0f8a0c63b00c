import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { AbortedError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import {
  BULK_IDLE_TIMEOUT_MS,
  BULK_MAX_CONNECTIONS,
  BULK_TICKET_TTL_MS,
  BULK_TOKEN_TIMEOUT_MS,
} from '../constants.ts'
import type { ContentStore } from '../content-store.ts'
import { ChunkNotFoundError } from '../errors.ts'

// Bulk channel: a plain TCP side channel for chunk bodies, next to the Noise-encrypted libp2p control
// protocol. Authenticity of the bytes needs no channel security: every chunk is content-addressed and
// verified by sha256 before it is stored. The peer is authorised by a one-time ticket obtained over the
// authenticated libp2p stream. What the channel does not give is confidentiality (bytes travel in the
// clear) and attribution (an on-path attacker could inject bytes, so a bad chunk on this channel makes
// the fetcher fall back to libp2p for that peer instead of blaming it).
//
// Wire: client -> 32-byte ticket token, then requests of 32 raw bytes (a chunk sha256), one at a time.
// server -> per request: 1 status byte (0 = ok, 1 = not found) + 4-byte big-endian length + body.

const TOKEN_BYTES = 32

interface Ticket {
  peerId: string
  chunks: Set<string>
  expires: number
}

/** Serves chunk bodies over plain TCP to holders of a ticket issued over libp2p. */
export class BulkChannelServer {
  private server: Server | undefined
  private readonly tickets = new Map<string, Ticket>()
  private readonly sockets = new Set<Socket>()

  constructor(
    private readonly c: { store: Pick<ContentStore, 'readChunk' | 'findManifest'>; log: Logger },
    private readonly init: { host: string; port: number },
  ) {}

  /** Listens on the configured host/port. */
  async start(): Promise<void> {
    if (this.server !== undefined) return
    const server = createServer({ noDelay: true }, (socket) => this.serve(socket))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.init.port, this.init.host, () => resolve())
    })
    this.server = server
  }

  /** Closes the listener and every bulk connection. */
  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()))
  }

  /** The TCP port, once started. */
  get port(): number | undefined {
    const addr = this.server?.address()
    return typeof addr === 'object' && addr !== null ? addr.port : undefined
  }

  /** Issues a ticket letting `peerId` read the chunks of `root` for a minute; undefined when not serving. */
  issue(peerId: string, root: string): { port: number; token: string; ttlMs: number } | undefined {
    const port = this.port
    const manifest = this.c.store.findManifest(root)
    if (port === undefined || manifest === undefined) return undefined
    const now = Date.now()
    for (const [k, t] of this.tickets) if (t.expires < now) this.tickets.delete(k)
    const token = randomBytes(TOKEN_BYTES).toString('base64')
    this.tickets.set(token, { peerId, chunks: new Set(manifest.chunks), expires: now + BULK_TICKET_TTL_MS })
    return { port, token, ttlMs: BULK_TICKET_TTL_MS }
  }

  private serve(socket: Socket): void {
    if (this.sockets.size >= BULK_MAX_CONNECTIONS) {
      socket.destroy()
      return
    }
    this.sockets.add(socket)
    // unauthenticated sockets get little time to present a ticket
    socket.setTimeout(BULK_TOKEN_TIMEOUT_MS, () => socket.destroy())
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => socket.destroy())
    const reader = new SocketReader(socket)
    void (async () => {
      const token = Buffer.concat(await reader.read(TOKEN_BYTES)).toString('base64')
      const ticket = this.lookup(token)
      if (ticket === undefined) {
        socket.destroy()
        return
      }
      socket.setTimeout(BULK_IDLE_TIMEOUT_MS)
      for (;;) {
        const parts = await reader.read(32, true)
        if (parts === null) break
        const hash = Buffer.concat(parts).toString('hex')
        let data: Buffer | undefined
        if (ticket.chunks.has(hash)) data = await this.c.store.readChunk(hash).catch(() => undefined)
        const header = Buffer.allocUnsafe(5)
        header[0] = data === undefined ? 1 : 0
        header.writeUInt32BE(data?.byteLength ?? 0, 1)
        socket.write(header)
        const flushed = data === undefined ? true : socket.write(data)
        if (!flushed) await new Promise<void>((r) => socket.once('drain', r))
      }
      socket.end()
    })().catch((err) => {
      this.c.log.debug({ err }, 'bulk connection failed')
      socket.destroy()
    })
  }

  private lookup(token: string): Ticket | undefined {
    for (const [k, t] of this.tickets) {
      if (
        k.length === token.length &&
        timingSafeEqual(Buffer.from(k), Buffer.from(token)) &&
        t.expires >= Date.now()
      ) {
        return t
      }
    }
    return undefined
  }
}

/** Client end of a bulk connection: one request at a time. */
export class BulkChannelClient {
  private constructor(
    private readonly socket: Socket,
    private readonly reader: SocketReader,
  ) {}

  /** Connects and presents the ticket. */
  static async open(
    host: string,
    port: number,
    token: string,
    signal?: AbortSignal,
  ): Promise<BulkChannelClient> {
    const socket = tcpConnect({ host, port, noDelay: true })
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        socket.destroy()
        reject(new AbortedError())
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      socket.once('connect', () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      })
      socket.once('error', (err) => {
        signal?.removeEventListener('abort', onAbort)
        reject(err)
      })
    })
    socket.on('error', () => undefined)
    socket.write(Buffer.from(token, 'base64'))
    return new BulkChannelClient(socket, new SocketReader(socket))
  }

  /** Requests one chunk; returns its bytes as buffers (no copy), at most `maxBytes`. */
  async fetch(hash: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer[]> {
    this.socket.write(Buffer.from(hash, 'hex'))
    const onAbort = (): void => {
      this.socket.destroy(new AbortedError())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      const header = Buffer.concat(await this.reader.read(5))
      const length = header.readUInt32BE(1)
      if (header[0] !== 0) throw new ChunkNotFoundError(`Peer has no chunk ${hash} on the bulk channel.`)
      if (length > maxBytes) {
        this.socket.destroy()
        throw new RangeError(`Bulk answer of ${length} bytes is over the ${maxBytes}-byte limit.`)
      }
      return await this.reader.read(length)
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
  }

  /** Closes the connection. */
  close(): void {
    this.socket.end()
    this.socket.destroySoon()
  }
}

/** Reads exact byte counts from a socket, keeping received buffers without copying. */
class SocketReader {
  private readonly bufs: Buffer[] = []
  private length = 0
  private ended = false
  private error: Error | undefined
  private wake: (() => void) | undefined

  constructor(socket: Socket) {
    socket.on('data', (b: Buffer) => {
      this.bufs.push(b)
      this.length += b.byteLength
      this.notify()
    })
    socket.on('end', () => {
      this.ended = true
      this.notify()
    })
    socket.on('close', () => {
      this.ended = true
      this.notify()
    })
    socket.on('error', (err) => {
      this.error = err
      this.notify()
    })
  }

  read(n: number): Promise<Buffer[]>
  read(n: number, allowEnd: true): Promise<Buffer[] | null>
  async read(n: number, allowEnd = false): Promise<Buffer[] | null> {
    for (;;) {
      if (this.length >= n) return this.take(n)
      if (this.error !== undefined) throw this.error
      if (this.ended) {
        if (allowEnd && this.length === 0) return null
        throw new Error('Bulk connection closed mid-message.')
      }
      await new Promise<void>((r) => (this.wake = r))
    }
  }

  private take(n: number): Buffer[] {
    const out: Buffer[] = []
    let left = n
    while (left > 0) {
      const head = this.bufs[0]!
      if (head.byteLength <= left) {
        out.push(head)
        this.bufs.shift()
        left -= head.byteLength
      } else {
        out.push(head.subarray(0, left))
        this.bufs[0] = head.subarray(left)
        left = 0
      }
    }
    this.length -= n
    return out
  }

  private notify(): void {
    const w = this.wake
    this.wake = undefined
    w?.()
  }
}
