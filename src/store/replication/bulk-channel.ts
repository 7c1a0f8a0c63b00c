import { createServer, type Server, type Socket } from 'node:net'
import type { Logger } from '../../log.ts'
import {
  BULK_IDLE_TIMEOUT_MS,
  BULK_MAX_CONNECTIONS,
  BULK_RECORD_BYTES,
  BULK_TOKEN_TIMEOUT_MS,
} from '../constants.ts'
import type { ContentStore } from '../content-store.ts'
import type { Manifest } from '../manifest.ts'
import { HEADER_BYTES } from './bulk-client.ts'
import { CLIENT_TO_SERVER, RecordOpener, RecordSealer, SERVER_TO_CLIENT, TAG_BYTES } from './bulk-records.ts'
import { BulkTicketBook, type BulkTicketGrant, TICKET_ID_BYTES, type TicketLimits } from './bulk-tickets.ts'
import { SocketReader } from './socket-reader.ts'

// Bulk channel: a TCP side channel for chunk bodies, next to the Noise-secured libp2p control protocol,
// faster because it skips yamux framing and Noise's small ChaCha20 frames. A peer obtains a ticket over
// its libp2p stream: a random id and a fresh random AES-256-GCM key, both sent over Noise only. The
// ticket is good for one connection, from the IP of the libp2p connection it was issued on, by the
// peer it was issued to (the client names itself in a hello sealed under the key), for one content.
//
// Wire (every record AES-256-GCM, see bulk-records.ts):
//   client hello: ticket id (16 bytes, clear) | 1-byte length n | sealed peerId (n bytes + tag), aad = id
//   client request: sealed chunk sha256 (32 bytes + tag), one at a time
//   server answer: sealed header (status 0 ok / 1 not found, 4-byte BE length; 5 bytes + tag), then the
//   body as records of at most BULK_RECORD_BYTES each (+ tag). Any record failing authentication drops
//   the connection; chunks are still checked against their sha256 before they are stored.

const HASH_BYTES = 32

/** Options of the bulk server. */
export interface BulkChannelServerInit {
  host: string
  port: number
  limits?: TicketLimits
}

/** Serves chunk bodies over encrypted TCP to holders of a ticket issued over libp2p. */
export class BulkChannelServer {
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()
  private readonly chunkSets = new WeakMap<Manifest, Set<string>>()
  readonly tickets: BulkTicketBook

  constructor(
    private readonly c: { store: Pick<ContentStore, 'readChunkInto' | 'findManifest'>; log: Logger },
    private readonly init: BulkChannelServerInit,
  ) {
    this.tickets = new BulkTicketBook(init.limits)
  }

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
    this.tickets.clear()
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise<void>((r) => server.close(() => r()))
  }

  /** The TCP port, once started. */
  get port(): number | undefined {
    const addr = this.server?.address()
    return typeof addr === 'object' && addr !== null ? addr.port : undefined
  }

  /**
   * Issues a single-use ticket letting `peerId`, connecting from `remoteHost` (the IP of its libp2p
   * connection, when known), read the chunks of `root`; undefined when not serving. Send the answer
   * over the Noise-secured stream only: it carries the connection key.
   */
  issue(
    peerId: string,
    root: string,
    remoteHost?: string,
  ): { port: number; ticket: string; key: string; ttlMs: number } | undefined {
    const port = this.port
    if (port === undefined || this.c.store.findManifest(root) === undefined) return undefined
    const t = this.tickets.issue(peerId, root, remoteHost)
    return { port, ticket: t.id, key: t.key.toString('base64'), ttlMs: this.tickets.ttlMs }
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
      const admitted = await this.admit(socket, reader)
      if (admitted === undefined) {
        socket.destroy()
        return
      }
      socket.setTimeout(BULK_IDLE_TIMEOUT_MS)
      await this.answer(socket, reader, admitted)
      socket.end()
    })().catch((err) => {
      this.c.log.debug({ err }, 'bulk connection failed')
      socket.destroy()
    })
  }

  /** Reads the hello; the ticket when it is live, from its address, sealed under its key, by its peer. */
  private async admit(socket: Socket, reader: SocketReader): Promise<Admitted | undefined> {
    const idBytes = Buffer.concat(await reader.read(TICKET_ID_BYTES + 1))
    const n = idBytes[TICKET_ID_BYTES]!
    const sealed = await reader.read(n)
    const tag = Buffer.concat(await reader.read(TAG_BYTES))
    // no await from here to consume(): two connections cannot both use one ticket
    const id = idBytes.subarray(0, TICKET_ID_BYTES)
    const ticket = this.tickets.find(id.toString('hex'))
    if (ticket === undefined) return undefined
    if (ticket.remoteHost !== undefined && plainIp(socket.remoteAddress) !== plainIp(ticket.remoteHost)) {
      this.c.log.debug({ peerId: ticket.peerId }, 'bulk ticket presented from another address; refused')
      return undefined
    }
    const opener = new RecordOpener(ticket.key, CLIENT_TO_SERVER)
    let peerId: string
    try {
      peerId = Buffer.concat(opener.open(sealed, tag, id)).toString('utf8')
    } catch {
      return undefined
    }
    if (peerId !== ticket.peerId) {
      this.c.log.debug({ peerId: ticket.peerId, claimed: peerId }, 'bulk ticket presented by another peer')
      return undefined
    }
    this.tickets.consume(ticket)
    return { ticket, opener }
  }

  /** Answers sealed chunk requests until the client ends the connection. */
  private async answer(socket: Socket, reader: SocketReader, { ticket, opener }: Admitted): Promise<void> {
    const sealer = new RecordSealer(ticket.key, SERVER_TO_CLIENT)
    const manifest = this.c.store.findManifest(ticket.root)
    let chunks = manifest === undefined ? new Set<string>() : this.chunkSets.get(manifest)
    if (chunks === undefined && manifest !== undefined) {
      chunks = new Set(manifest.chunks)
      this.chunkSets.set(manifest, chunks)
    }
    // one read buffer per connection, reused for every chunk: sealing copies out of it before the next read
    let buffer: Buffer | undefined
    for (;;) {
      const sealed = await reader.read(HASH_BYTES, true)
      if (sealed === null) break
      const tag = Buffer.concat(await reader.read(TAG_BYTES))
      const hash = Buffer.concat(opener.open(sealed, tag)).toString('hex')
      let data: Buffer | undefined
      if (chunks!.has(hash)) {
        buffer ??= Buffer.allocUnsafe(manifest!.chunkSize)
        data = await this.c.store.readChunkInto(hash, buffer).catch(() => undefined)
      }
      const header = Buffer.allocUnsafe(HEADER_BYTES)
      header[0] = data === undefined ? 1 : 0
      header.writeUInt32BE(data?.byteLength ?? 0, 1)
      let flushed = writeAll(socket, sealer.seal(header))
      for (let off = 0; data !== undefined && off < data.byteLength; off += BULK_RECORD_BYTES) {
        // seal a record only when the socket took the last: sealed copies then die young (cheap to collect)
        if (!flushed) await drained(socket)
        flushed = writeAll(socket, sealer.seal(data.subarray(off, off + BULK_RECORD_BYTES)))
      }
      if (!flushed) await drained(socket)
    }
  }
}

/** An admitted connection: its (used-up) ticket and the opener of the client's records. */
interface Admitted {
  ticket: BulkTicketGrant
  opener: RecordOpener
}

function drained(socket: Socket): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.on('drain', done)
    socket.on('close', done)
  })
}

function writeAll(socket: Socket, parts: Buffer[]): boolean {
  let ok = true
  for (const p of parts) ok = socket.write(p) && ok
  return ok
}

/** An IPv4 address without its IPv6-mapped prefix. */
function plainIp(ip: string | undefined): string | undefined {
  return ip?.startsWith('::ffff:') === true ? ip.slice(7) : ip
}
