import type { Stream } from '@libp2p/interface'
import { FrameReader, FrameTooLargeError, RemoteError, request } from '../../net/index.ts'
import {
  MAX_CHUNK_CONTROL_FRAME_BYTES,
  MAX_CHUNK_REQUEST_FRAME_BYTES,
  MAX_CHUNK_SIZE,
  MAX_MANIFEST_BYTES,
} from '../constants.ts'
import { ChunkHashMismatchError, InvalidManifestError } from '../errors.ts'
import { contentRootOf, decodeManifest, encodeManifest, type Manifest } from '../manifest.ts'
import { decodeBitfield } from './bitfield.ts'
import { BulkAnswer, CHUNKS_PROTOCOL, ChunkHeader, HaveAnswer, ManifestAnswer } from './protocol.ts'

/** Opens protocol streams to peers (the host's dial). */
export interface StreamDialer {
  /** This node's PeerId (named in bulk-channel hellos). */
  readonly peerId: string
  dial(peer: string, protocol: string, options?: { signal?: AbortSignal }): Promise<Stream>
  /** IP of the connection to a peer; enables the bulk channel to it. */
  remoteHost?(peerId: string): string | undefined
}

/** A single-use bulk-channel ticket a provider handed out over Noise: where, its id, its key. */
export interface BulkTicket {
  host: string
  port: number
  id: string
  key: Buffer
}

/** Options of one request on a session. */
interface RequestOptions {
  signal: AbortSignal | undefined
  timeoutMs: number
}

/** One `/commons/chunks/1.0.0` stream to a provider: requests one at a time, answers size-bounded. */
export class ChunkSession {
  private constructor(
    private readonly stream: Stream,
    private readonly reader: FrameReader,
    readonly peer: string,
  ) {}

  /** Dials the chunk protocol on a peer. */
  static async open(
    dialer: StreamDialer,
    peer: string,
    signal: AbortSignal | undefined,
  ): Promise<ChunkSession> {
    const stream = await dialer.dial(peer, CHUNKS_PROTOCOL, { signal })
    return new ChunkSession(stream, new FrameReader(stream, MAX_CHUNK_SIZE), peer)
  }

  /** The manifest of `root`: at most MAX_MANIFEST_BYTES, valid, and hashing to `root`. */
  async manifest(root: string, options: RequestOptions): Promise<Manifest> {
    let answer: ManifestAnswer
    try {
      answer = await request(this.stream, this.reader, { type: 'manifest', root }, ManifestAnswer, {
        ...options,
        maxBytes: MAX_CHUNK_CONTROL_FRAME_BYTES,
      })
    } catch (err) {
      if (!(err instanceof FrameTooLargeError)) throw err
      throw new InvalidManifestError(
        `Peer ${this.peer} sent a manifest of ${root} over the ${MAX_MANIFEST_BYTES}-byte limit; refusing it.`,
        { cause: err },
      )
    }
    // Re-encoding checks the canonical size against the limit, as for a manifest read from disk.
    const manifest = decodeManifest(encodeManifest(answer.manifest))
    if (contentRootOf(manifest) !== root) {
      throw new InvalidManifestError(`Peer ${this.peer} sent a manifest that does not hash to ${root}.`)
    }
    return manifest
  }

  /** Which chunks of `root` the peer holds. */
  async have(root: string, options: RequestOptions): Promise<Set<number>> {
    const have = await request(this.stream, this.reader, { type: 'have', root }, HaveAnswer, {
      ...options,
      maxBytes: MAX_CHUNK_CONTROL_FRAME_BYTES,
    })
    return decodeBitfield(have.bitfield, have.count)
  }

  /** A ticket for the peer's bulk channel at `host`, or undefined when it offers none. */
  async bulkTicket(root: string, host: string, options: RequestOptions): Promise<BulkTicket | undefined> {
    try {
      const t = await request(this.stream, this.reader, { type: 'bulk', root }, BulkAnswer, options)
      return { host, port: t.port, id: t.ticket, key: Buffer.from(t.key, 'base64') }
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err
      return undefined
    }
  }

  /** Chunk `index` of `expected` bytes: its header must name it, and exactly its bytes must follow. */
  async chunk(hash: string, index: number, expected: number, options: RequestOptions): Promise<Uint8Array[]> {
    const header = await request(this.stream, this.reader, { type: 'chunk', hash }, ChunkHeader, {
      ...options,
      maxBytes: MAX_CHUNK_REQUEST_FRAME_BYTES,
    })
    if (header.hash !== hash || header.size !== expected) {
      throw new ChunkHashMismatchError(
        `Peer announced ${header.size} bytes for chunk ${index}, expected ${expected}.`,
      )
    }
    const body = await this.reader.next({ signal: options.signal, maxBytes: expected })
    if (body === null || body.byteLength !== expected) {
      throw new ChunkHashMismatchError(`Peer sent a short chunk ${index}.`)
    }
    return [...body]
  }

  /** Releases the reader and closes the stream. */
  close(): void {
    this.reader.release()
    this.stream.close().catch(() => this.stream.abort(new Error('closing chunk session')))
  }
}
