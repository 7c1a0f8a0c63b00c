import type { Stream } from '@libp2p/interface'
import type { Logger } from '../../log.ts'
import type { ContentStore } from '../content-store.ts'
import { BulkChannelServer } from './bulk-channel.ts'
import { type FetchOptions, type FetchResult, fetchContent, type StreamDialer } from './chunk-fetcher.ts'
import { serveChunkStream } from './chunk-server.ts'
import { CHUNK_STREAM_LIMIT, CHUNKS_PROTOCOL } from './protocol.ts'

/** The host calls replication makes (CommonsHost satisfies it). */
export interface ReplicationHost extends StreamDialer {
  /** IP/host of the current connection to a peer (for the bulk channel). */
  remoteHost(peerId: string): string | undefined
  handle(
    protocol: string,
    handler: (stream: Stream, remote: { peerId: string }) => void | Promise<void>,
    options?: { maxInboundStreams?: number; maxOutboundStreams?: number },
  ): Promise<void>
  unhandle(protocol: string): Promise<void>
}

/** Options of the replicator. */
export interface ChunkReplicatorInit {
  /**
   * TCP bulk channel for chunk bodies (faster than the libp2p stream; AES-256-GCM records under a key
   * agreed over Noise, single-use tickets bound to the peer; chunks still verified by hash). `false` disables it. Default: 127.0.0.1, random port;
   * set host to a reachable interface (e.g. 0.0.0.0) for remote peers to use it.
   */
  bulk?: { host?: string; port?: number } | false
}

/** Serves this node's chunks on `/commons/chunks/1.0.0` and fetches content from peers into the store. */
export class ChunkReplicator {
  private readonly bulk: BulkChannelServer | undefined

  constructor(
    private readonly c: { host: ReplicationHost; store: ContentStore; log: Logger },
    init: ChunkReplicatorInit = {},
  ) {
    if (init.bulk !== false) {
      this.bulk = new BulkChannelServer(
        { store: c.store, log: c.log },
        { host: init.bulk?.host ?? '127.0.0.1', port: init.bulk?.port ?? 0 },
      )
    }
  }

  /** The bulk-channel server, when enabled (its ticket book is observable for limits). */
  get bulkChannel(): BulkChannelServer | undefined {
    return this.bulk
  }

  /** Registers the chunk protocol handler and opens the bulk channel (start the host and store first). */
  async start(): Promise<void> {
    await this.bulk?.start()
    await this.c.host.handle(
      CHUNKS_PROTOCOL,
      (stream, remote) =>
        serveChunkStream(
          { store: this.c.store, log: this.c.log, bulk: this.bulk },
          stream,
          remote.peerId,
          // the bulk connection must come from the address of the connection the ticket is issued on
          this.c.host.remoteHost(remote.peerId),
        ),
      { maxInboundStreams: CHUNK_STREAM_LIMIT, maxOutboundStreams: CHUNK_STREAM_LIMIT },
    )
  }

  /** Unregisters the handler. */
  async stop(): Promise<void> {
    await this.c.host.unhandle(CHUNKS_PROTOCOL).catch(() => undefined)
    await this.bulk?.stop()
  }

  /**
   * Fetches content from the given providers into the store (see fetchContent).
   * @example await replicator.fetch(root, { providers: directory.holdersOf(root).map((a) => a.peerId), onProgress })
   */
  fetch(root: string, options: FetchOptions): Promise<FetchResult> {
    return fetchContent({ dialer: this.c.host, store: this.c.store, log: this.c.log }, root, options)
  }
}
