import { AbortedError, throwIfAborted } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import { RemoteError, withTimeout } from '../../net/index.ts'
import { FETCH_REQUEST_TIMEOUT_MS, FETCH_STREAMS_PER_PEER } from '../constants.ts'
import type { ContentStore } from '../content-store.ts'
import {
  ChunkHashMismatchError,
  ChunkNotFoundError,
  InvalidManifestError,
  NoProvidersError,
} from '../errors.ts'
import { chunkLength, type Manifest, parseContentRoot } from '../manifest.ts'
import type { ChunkVerifiedEvent, OnProgress } from '../progress.ts'
import { BulkChannelClient } from './bulk-client.ts'
import { type BulkTicket, ChunkSession, type StreamDialer } from './chunk-session.ts'
import { FetchPlan } from './fetch-plan.ts'

export type { StreamDialer } from './chunk-session.ts'

/** Why a peer was reported. */
export interface Misbehaviour {
  peerId: string
  reason: 'bad-chunk' | 'bad-manifest' | 'bad-answer'
  root: string
  chunk?: number
  error: Error
}

/** Options of one fetch. */
export interface FetchOptions {
  /** PeerIds believed to hold the content (from the PeerDirectory). */
  providers: string[]
  signal?: AbortSignal
  onProgress?: OnProgress<ChunkVerifiedEvent>
  /** Called when a peer served bad data; it is dropped from this fetch. Lower its score here. */
  onPeerMisbehaved?: (m: Misbehaviour) => void
  /** Parallel chunk requests (streams or bulk connections) per peer; default 2. */
  streamsPerPeer?: number
  /** Timeout for one chunk request (ms). */
  requestTimeoutMs?: number
  /** `auto` (default) uses a peer's plain-TCP bulk channel when it offers one; `libp2p` never does. */
  transport?: 'auto' | 'libp2p'
}

/** Outcome of a fetch. */
export interface FetchResult {
  root: string
  size: number
  /** Chunks fetched over the network in this call. */
  fetchedChunks: number
  fetchedBytes: number
  /** Chunks already in the store (earlier, interrupted fetch, or shared with other content). */
  reusedChunks: number
  durationMs: number
  /** Chunks fetched per peer. */
  byPeer: Record<string, number>
  /** Peers dropped for serving bad data. */
  misbehaving: string[]
  /** Chunks that came over the bulk channel. */
  bulkChunks: number
}

/** What a fetch uses: the dialer to reach providers, the store it fills. */
interface FetchComponents {
  dialer: StreamDialer
  store: ContentStore
  log: Logger
}

/**
 * Fetches content by root from several peers at once into the store: manifest, `have` bitfields, then
 * chunks planned over the peers, each verified before it is written. Chunks already stored are not
 * fetched again, so a fetch after an interruption resumes. Throws NoProvidersError when no live peer
 * holds the missing chunks.
 */
export async function fetchContent(
  c: FetchComponents,
  rootInput: string,
  options: FetchOptions,
): Promise<FetchResult> {
  const fetch = new ContentFetch(c, parseContentRoot(rootInput), options)
  try {
    const result = await fetch.run()
    // chunk directory entries are fsynced once here, not per chunk: done means durable
    await c.store.syncChunkDirs()
    return result
  } catch (err) {
    // the verified chunks are kept for a resumed fetch: make their names durable too
    await c.store.syncChunkDirs().catch(() => undefined)
    if (isAborted(options.signal) && !(err instanceof AbortedError))
      throw new AbortedError(undefined, { cause: err })
    throw err
  } finally {
    fetch.closeAll()
  }
}

/** The state of one fetch: its providers' sessions, the plan over them, and the counts it reports. */
class ContentFetch {
  private readonly started = Date.now()
  private readonly signal: AbortSignal | undefined
  private readonly streamsPerPeer: number
  private readonly timeoutMs: number
  private readonly misbehaving: string[] = []
  private readonly sessions = new Map<string, ChunkSession>()
  private readonly haves = new Map<string, Set<number>>()
  /** Unused single-use bulk tickets per peer, one per request slot. */
  private readonly tickets = new Map<string, BulkTicket[]>()
  private readonly bulkOff = new Set<string>()
  private manifest: Manifest | undefined
  private plan = new FetchPlan([], 1)
  private doneBytes = 0
  private fetchedBytes = 0
  private fetchedChunks = 0
  private bulkChunks = 0
  private readonly byPeer: Record<string, number> = {}
  private wake: () => void = () => {}
  private changed = new Promise<void>((r) => (this.wake = r))

  constructor(
    private readonly c: FetchComponents,
    private readonly root: string,
    private readonly options: FetchOptions,
  ) {
    this.signal = options.signal
    // measured on loopback: 2 requests in flight per peer beat 4 and 8 (more only adds buffers and GC)
    this.streamsPerPeer = Math.max(1, options.streamsPerPeer ?? FETCH_STREAMS_PER_PEER)
    this.timeoutMs = options.requestTimeoutMs ?? FETCH_REQUEST_TIMEOUT_MS
  }

  /** Opens the providers, records the manifest, then fetches the missing chunks. */
  async run(): Promise<FetchResult> {
    throwIfAborted(this.signal)
    this.manifest = this.c.store.findManifest(this.root)
    await Promise.all([...new Set(this.options.providers)].map((peer) => this.openProvider(peer)))
    throwIfAborted(this.signal)
    const m = this.manifest
    if (m === undefined) {
      throw new NoProvidersError(
        `None of the ${this.options.providers.length} providers could give the manifest of ${this.root}; retry when a holder is online.`,
        { details: { root: this.root, providers: this.options.providers.length } },
      )
    }
    await this.c.store.putManifest(m, this.root)
    await this.c.store.pin(this.root)
    const reusedChunks = await this.fetchMissing(m)
    return {
      root: this.root,
      size: m.size,
      fetchedChunks: this.fetchedChunks,
      fetchedBytes: this.fetchedBytes,
      reusedChunks,
      durationMs: Date.now() - this.started,
      byPeer: this.byPeer,
      misbehaving: this.misbehaving,
      bulkChunks: this.bulkChunks,
    }
  }

  /** Closes the sessions no worker took over. */
  closeAll(): void {
    for (const s of this.sessions.values()) s.close()
    this.sessions.clear()
  }

  /** One session per provider: `have` (and `manifest` when we lack it), and a bulk ticket when offered. */
  private async openProvider(peer: string): Promise<void> {
    const { root, signal, timeoutMs } = this
    let session: ChunkSession | undefined
    try {
      session = await ChunkSession.open(this.c.dialer, peer, signal)
      if (this.manifest === undefined) {
        this.manifest ??= await session.manifest(root, { signal, timeoutMs })
      }
      this.haves.set(peer, await session.have(root, { signal, timeoutMs }))
      const host = this.options.transport === 'libp2p' ? undefined : this.c.dialer.remoteHost?.(peer)
      if (host !== undefined) {
        // tickets are single-use: one per bulk connection (request slot)
        const tickets: BulkTicket[] = []
        for (let slot = 0; slot < this.streamsPerPeer; slot++) {
          const ticket = await session.bulkTicket(root, host, { signal, timeoutMs })
          if (ticket === undefined) break
          tickets.push(ticket)
        }
        if (tickets.length > 0) this.tickets.set(peer, tickets)
      }
      this.sessions.set(peer, session)
    } catch (err) {
      session?.close()
      if (signal?.aborted === true) return
      if (err instanceof InvalidManifestError) {
        this.report({ peerId: peer, reason: 'bad-manifest', root, error: err })
      }
      this.c.log.debug({ err, peer, root }, 'provider unavailable for this fetch')
    }
  }

  /** Plans the missing chunks over the providers and runs the workers; returns the chunks reused. */
  private async fetchMissing(m: Manifest): Promise<number> {
    const missing = this.c.store.missingChunks(this.root)
    this.plan = new FetchPlan(missing, this.streamsPerPeer)
    for (const [peer, holds] of this.haves) this.plan.addPeer(peer, holds)
    this.doneBytes = m.chunks.reduce((n, h, i) => n + (this.c.store.hasChunk(h) ? chunkLength(m, i) : 0), 0)
    const workers: Promise<void>[] = []
    for (const peer of this.plan.livePeers()) {
      for (let slot = 0; slot < this.streamsPerPeer; slot++) {
        const first = slot === 0 ? this.sessions.get(peer) : undefined
        if (first !== undefined) this.sessions.delete(peer)
        workers.push(this.worker(m, peer, first))
      }
    }
    await Promise.all(workers)
    throwIfAborted(this.signal)
    if (!this.plan.done || !this.c.store.has(this.root)) {
      const left = this.c.store.missingChunks(this.root).length
      throw new NoProvidersError(
        `Fetch of ${this.root} stopped with ${left} of ${m.chunks.length} chunks missing: no live provider holds them. ` +
          'Verified chunks are kept; retry once another holder is online.',
        { details: { root: this.root, missingChunks: left, misbehaving: this.misbehaving } },
      )
    }
    return m.chunks.length - missing.length
  }

  /** One request slot of a peer: takes the next chunk the plan gives it until none is left. */
  private async worker(m: Manifest, peer: string, first: ChunkSession | undefined): Promise<void> {
    const link: PeerLink = { session: first, bulk: undefined, bulkTicket: undefined }
    try {
      for (;;) {
        if (isAborted(this.signal)) return
        const index = this.plan.next(peer)
        if (index === undefined) {
          if (this.plan.done || !this.plan.livePeers().includes(peer) || !this.plan.canProgress()) return
          await this.changed
          continue
        }
        try {
          await this.fetchChunk(m, peer, index, link)
        } catch (err) {
          if (this.onChunkFailed(peer, index, err) === 'stop') return
        } finally {
          this.notify()
        }
      }
    } finally {
      link.session?.close()
      link.bulk?.close()
      this.notify()
    }
  }

  /** Fetches, verifies and stores one chunk (bulk channel first when offered), then reports progress. */
  private async fetchChunk(m: Manifest, peer: string, index: number, link: PeerLink): Promise<void> {
    const hash = m.chunks[index]!
    const expected = chunkLength(m, index)
    const reqSignal = withTimeout(this.signal, this.timeoutMs)
    const stored = await this.fetchOverBulk(peer, hash, index, expected, reqSignal, link)
    if (!stored) {
      link.session ??= await ChunkSession.open(this.c.dialer, peer, this.signal)
      const parts = await link.session.chunk(hash, index, expected, {
        signal: reqSignal,
        timeoutMs: this.timeoutMs,
      })
      await this.c.store.putChunk(hash, parts, { deferDirSync: true })
    }
    this.plan.succeed(index, peer)
    this.fetchedChunks++
    this.fetchedBytes += expected
    this.doneBytes += expected
    this.byPeer[peer] = (this.byPeer[peer] ?? 0) + 1
    const elapsed = Math.max(1, Date.now() - this.started) / 1000
    this.options.onProgress?.({
      type: 'store:chunk:verified',
      detail: {
        root: this.root,
        index,
        hash,
        peerId: peer,
        bytes: expected,
        doneBytes: this.doneBytes,
        totalBytes: m.size,
        rate: this.fetchedBytes / elapsed,
      },
    })
  }

  /** Tries the peer's bulk channel; false when it has none or it failed (the caller uses libp2p). */
  private async fetchOverBulk(
    peer: string,
    hash: string,
    index: number,
    expected: number,
    signal: AbortSignal,
    link: PeerLink,
  ): Promise<boolean> {
    if (this.bulkOff.has(peer)) return false
    if (link.bulk === undefined) {
      const ticket = this.tickets.get(peer)?.pop()
      if (ticket === undefined) return false
      link.bulkTicket = ticket
    }
    try {
      link.bulk ??= await BulkChannelClient.open(
        link.bulkTicket!.host,
        link.bulkTicket!.port,
        link.bulkTicket!,
        this.c.dialer.peerId,
        signal,
      )
      // the chunk goes to a temp file as it is deciphered; it takes its name only once every record
      // passed its tag and the whole hashes to `hash`
      const writer = this.c.store.chunkWriter(hash, { deferDirSync: true })
      try {
        const length = await link.bulk.fetchInto(hash, expected, (piece) => writer.write(piece), signal)
        if (length !== expected) throw new ChunkHashMismatchError(`Bulk channel sent a short chunk ${index}.`)
        await writer.commit()
      } catch (err) {
        await writer.abort()
        throw err
      }
      this.bulkChunks++
      return true
    } catch (err) {
      if (isAborted(this.signal)) throw err
      if (err instanceof ChunkNotFoundError) throw new RemoteError('NotFoundError', err.message)
      // An altered record (BulkRecordAuthError) or a broken connection: the bytes were touched on the
      // TCP path, which is no proof against the peer. Nothing was stored; fetch the chunk again over
      // its Noise-protected libp2p stream, where bad bytes would be proof.
      this.c.log.debug({ err, peer, index }, 'bulk channel failed; falling back to libp2p')
      this.bulkOff.add(peer)
      link.bulk?.close()
      link.bulk = undefined
      return false
    }
  }

  /** Decides what a failed chunk request means for its peer: retry elsewhere, or drop the peer. */
  private onChunkFailed(peer: string, index: number, err: unknown): 'continue' | 'stop' {
    if (isAborted(this.signal)) {
      this.plan.fail(index, peer)
      return 'stop'
    }
    if (err instanceof ChunkHashMismatchError) {
      this.plan.dropPeer(peer)
      this.report({ peerId: peer, reason: 'bad-chunk', root: this.root, chunk: index, error: err })
      return 'stop'
    }
    if (err instanceof RemoteError && err.remoteName.endsWith('NotFoundError')) {
      // the peer's bitfield said yes, the chunk is gone now: try it elsewhere
      this.plan.fail(index, peer)
      return 'continue'
    }
    this.c.log.debug({ err, peer, index }, 'chunk request failed; dropping peer from this fetch')
    this.plan.dropPeer(peer)
    return 'stop'
  }

  private report(m: Misbehaviour): void {
    // several request slots of one peer may fail at once: report the peer once per fetch
    if (this.misbehaving.includes(m.peerId)) return
    this.misbehaving.push(m.peerId)
    this.c.log.warn(
      { peerId: m.peerId, reason: m.reason, root: this.root, chunk: m.chunk },
      'peer misbehaved; dropped from fetch',
    )
    this.options.onPeerMisbehaved?.(m)
  }

  /** Wakes the workers waiting for the plan to change. */
  private notify(): void {
    const w = this.wake
    this.changed = new Promise<void>((r) => (this.wake = r))
    w()
  }
}

/** A worker's connections to its peer, opened on first use. */
interface PeerLink {
  session: ChunkSession | undefined
  bulk: BulkChannelClient | undefined
  /** The single-use ticket this worker's bulk connection was opened with. */
  bulkTicket: BulkTicket | undefined
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}
