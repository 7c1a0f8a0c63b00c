import { type Socket, connect as tcpConnect } from 'node:net'
import { AbortedError } from '../../errors.ts'
import { BULK_READ_BUFFER_BYTES, BULK_RECORD_BYTES } from '../constants.ts'
import { BulkRecordAuthError, ChunkNotFoundError } from '../errors.ts'
import {
  CLIENT_TO_SERVER,
  type RecordInProgress,
  RecordOpener,
  RecordSealer,
  SERVER_TO_CLIENT,
  TAG_BYTES,
} from './bulk-records.ts'

// Client end of a bulk connection (wire in bulk-channel.ts). The socket reads into one buffer reused for
// the life of the connection (net's `onread`), and each read is deciphered as it arrives: received bytes
// are never kept, only plaintext, so a chunk costs one allocation of its size instead of three (socket
// buffers, record copies, plaintext) and the collector runs that much less. Plaintext is handed out only
// after every record of the answer passed its GCM tag.

/** Bytes of the sealed answer header (status 0 ok / 1 not found, 4-byte BE length). */
export const HEADER_BYTES = 5

/** A ticket as the client holds it. */
export interface BulkTicketKey {
  /** Hex ticket id. */
  id: string
  /** 32-byte AES-256-GCM key. */
  key: Buffer
}

/** The answer being received: its records so far and how to finish it. */
interface PendingAnswer {
  /** Takes plaintext; a promise returned pauses the socket until it settles (the sink's backpressure). */
  sink: (piece: Buffer) => Promise<void> | undefined
  /** Body bytes handed to the sink. */
  done: number
  maxBytes: number
  hash: string
  /** Body bytes still to come (unknown until the header is in). */
  left: number
  /** Plaintext of the header record while it is the one received; undefined after. */
  header: Buffer[] | undefined
  /** The record being received, and its ciphertext bytes still to come. */
  record: RecordInProgress | undefined
  recordLeft: number
  recordBytes: number
  tag: Buffer
  tagFill: number
  resolve: (length: number) => void
  reject: (err: Error) => void
}

/** Client end of a bulk connection: one request at a time, every record authenticated. */
export class BulkChannelClient {
  private readonly sealer: RecordSealer
  private readonly opener: RecordOpener
  private pending: PendingAnswer | undefined
  private failure: Error | undefined

  private constructor(
    private readonly socket: Socket,
    key: Buffer,
  ) {
    this.sealer = new RecordSealer(key, CLIENT_TO_SERVER)
    this.opener = new RecordOpener(key, SERVER_TO_CLIENT)
    const closed = (): void => this.fail(new Error('Bulk connection closed mid-message.'))
    socket.on('end', closed)
    socket.on('close', closed)
    socket.on('error', (err) => this.fail(err))
  }

  /** Connects and presents the ticket as `selfPeerId` (the peer the ticket was issued to). */
  static async open(
    host: string,
    port: number,
    ticket: BulkTicketKey,
    selfPeerId: string,
    signal?: AbortSignal,
  ): Promise<BulkChannelClient> {
    let client: BulkChannelClient | undefined
    const buffer = Buffer.allocUnsafe(BULK_READ_BUFFER_BYTES)
    const socket = tcpConnect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer,
        callback: (n: number, buf: Uint8Array) => {
          client?.received(buf.subarray(0, n))
          return true
        },
      },
    })
    client = new BulkChannelClient(socket, ticket.key)
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
    const id = Buffer.from(ticket.id, 'hex')
    const [sealed, tag] = client.sealer.seal(Buffer.from(selfPeerId, 'utf8'), id)
    socket.write(Buffer.concat([id, Buffer.from([sealed!.byteLength]), sealed!, tag!]))
    return client
  }

  /** Requests one chunk; returns its authenticated plaintext, at most `maxBytes`. */
  async fetch(hash: string, maxBytes: number, signal?: AbortSignal): Promise<Buffer[]> {
    const out: Buffer[] = []
    await this.fetchInto(
      hash,
      maxBytes,
      (piece) => {
        out.push(piece)
        return undefined
      },
      signal,
    )
    return out
  }

  /**
   * Requests one chunk and hands its plaintext to `sink` piece by piece as it is deciphered; resolves to
   * its length once every record passed its tag. Until then the pieces are unauthenticated: the sink
   * must keep them where nothing trusts them (the store's temp file) and drop them if this rejects.
   */
  fetchInto(
    hash: string,
    maxBytes: number,
    sink: (piece: Buffer) => Promise<void> | undefined,
    signal?: AbortSignal,
  ): Promise<number> {
    if (this.failure !== undefined) return Promise.reject(this.failure)
    if (this.pending !== undefined) return Promise.reject(new Error('One bulk request at a time.'))
    const onAbort = (): void => {
      this.socket.destroy()
      this.fail(new AbortedError())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    return new Promise<number>((resolve, reject) => {
      this.pending = {
        sink,
        done: 0,
        maxBytes,
        hash,
        left: HEADER_BYTES,
        record: undefined,
        recordLeft: 0,
        recordBytes: 0,
        tag: Buffer.allocUnsafe(TAG_BYTES),
        tagFill: 0,
        header: [],
        resolve,
        reject,
      }
      for (const part of this.sealer.seal(Buffer.from(hash, 'hex'))) this.socket.write(part)
    }).finally(() => signal?.removeEventListener('abort', onAbort))
  }

  /** Closes the connection. */
  close(): void {
    this.socket.end()
    this.socket.destroySoon()
  }

  /** Deciphers bytes as they arrive (`data` is the shared read buffer: nothing may keep it). */
  private received(data: Uint8Array): void {
    let off = 0
    try {
      while (off < data.byteLength) {
        const p = this.pending
        if (p === undefined) throw new BulkRecordAuthError('The bulk peer sent bytes nobody asked for.')
        if (p.record === undefined) this.beginRecord(p)
        if (p.recordLeft > 0) {
          const take = Math.min(p.recordLeft, data.byteLength - off)
          const plain = p.record!.update(data.subarray(off, off + take))
          if (p.header !== undefined) p.header.push(plain)
          else {
            const busy = p.sink(plain)
            p.done += plain.byteLength
            if (busy !== undefined && !this.socket.isPaused()) {
              this.socket.pause()
              void busy.finally(() => this.socket.resume())
            }
          }
          p.recordLeft -= take
          off += take
          continue
        }
        const take = Math.min(TAG_BYTES - p.tagFill, data.byteLength - off)
        p.tag.set(data.subarray(off, off + take), p.tagFill)
        p.tagFill += take
        off += take
        if (p.tagFill === TAG_BYTES) this.endRecord(p)
      }
    } catch (err) {
      this.socket.destroy()
      this.fail(err as Error)
    }
  }

  private beginRecord(p: PendingAnswer): void {
    p.record = this.opener.begin()
    p.recordLeft = Math.min(p.left, BULK_RECORD_BYTES)
    p.recordBytes = p.recordLeft
    p.tagFill = 0
  }

  /** Checks the record's tag; then takes the header's length, or the record's plaintext. */
  private endRecord(p: PendingAnswer): void {
    p.record!.finish(p.tag)
    p.record = undefined
    if (p.header !== undefined) {
      const header = Buffer.concat(p.header)
      if (header[0] !== 0) {
        this.settle(p, new ChunkNotFoundError(`Peer has no chunk ${p.hash} on the bulk channel.`))
        return
      }
      const length = header.readUInt32BE(1)
      if (length > p.maxBytes) {
        this.socket.destroy()
        this.settle(p, new RangeError(`Bulk answer of ${length} bytes is over the ${p.maxBytes}-byte limit.`))
        return
      }
      p.header = undefined
      p.left = length
    } else {
      p.left -= p.recordBytes
    }
    if (p.left === 0) this.settle(p)
  }

  private settle(p: PendingAnswer, err?: Error): void {
    this.pending = undefined
    if (err === undefined) p.resolve(p.done)
    else p.reject(err)
  }

  private fail(err: Error): void {
    this.failure ??= err
    const p = this.pending
    if (p !== undefined) this.settle(p, err)
  }
}
