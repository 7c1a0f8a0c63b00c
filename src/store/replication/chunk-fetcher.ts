import type { Stream } from '@libp2p/interface'
import { AbortedError, throwIfAborted } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import { RemoteError } from '../../net/errors.ts'
import { FrameReader, request, withTimeout } from '../../net/frames.ts'
import { FETCH_REQUEST_TIMEOUT_MS, FETCH_STREAMS_PER_PEER, MAX_CHUNK_SIZE } from '../constants.ts'
import type { ContentStore } from '../content-store.ts'
import {
  ChunkHashMismatchError,
  ChunkNotFoundError,
  InvalidManifestError,
  NoProvidersError,
} from '../errors.ts'
import { chunkLength, contentRootOf, type Manifest, parseContentRoot } from '../manifest.ts'
import type { ChunkVerifiedEvent, OnProgress } from '../progress.ts'
import { decodeBitfield } from './bitfield.ts'
import { BulkChannelClient } from './bulk-channel.ts'
import { FetchPlan } from './fetch-plan.ts'
import {
  BulkAnswer,
  CHUNKS_PROTOCOL,
  ChunkHeader,
  HaveAnswer,
  MAX_CHUNK_CONTROL_FRAME,
  ManifestAnswer,
} from './protocol.ts'

/** Opens protocol streams to peers (the host's dial). */
export interface StreamDialer {
  dial(peer: string, protocol: string, options?: { signal?: AbortSignal }): Promise<Stream>
  /** IP of the connection to a peer; enables the bulk channel to it. */
  remoteHost?(peerId: string): string | undefined
}

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

interface Session {
  stream: Stream
  reader: FrameReader
}

/**
 * Fetches content by root from several peers at once into the store: manifest, `have` bitfields, then
 * chunks planned over the peers, each verified before it is written. Chunks already stored are not
 * fetched again, so a fetch after an interruption resumes. Throws NoProvidersError when no live peer
 * holds the missing chunks.
 */
export async function fetchContent(
  c: { dialer: StreamDialer; store: ContentStore; log: Logger },
  rootInput: string,
  options: FetchOptions,
): Promise<FetchResult> {
  const started = Date.now()
  const root = parseContentRoot(rootInput)
  const signal = options.signal
  // measured on loopback: 2 requests in flight per peer beat 4 and 8 (more only adds buffers and GC)
  const streamsPerPeer = Math.max(1, options.streamsPerPeer ?? FETCH_STREAMS_PER_PEER)
  const timeoutMs = options.requestTimeoutMs ?? FETCH_REQUEST_TIMEOUT_MS
  const misbehaving: string[] = []
  const report = (m: Misbehaviour): void => {
    // several request slots of one peer may fail at once: report the peer once per fetch
    if (misbehaving.includes(m.peerId)) return
    misbehaving.push(m.peerId)
    c.log.warn(
      { peerId: m.peerId, reason: m.reason, root, chunk: m.chunk },
      'peer misbehaved; dropped from fetch',
    )
    options.onPeerMisbehaved?.(m)
  }
  throwIfAborted(signal)

  // 1. one session per provider: `have` (and `manifest` when we lack it)
  const sessions = new Map<string, Session>()
  const closeAll = (): void => {
    for (const s of sessions.values()) closeSession(s)
    sessions.clear()
  }
  let manifest = c.store.findManifest(root)
  const haves = new Map<string, Set<number>>()
  const tickets = new Map<string, { host: string; port: number; token: string }>()
  const bulkOff = new Set<string>()
  let bulkChunks = 0
  try {
    await Promise.all(
      [...new Set(options.providers)].map(async (peer) => {
        let session: Session | undefined
        try {
          session = await openSession(c.dialer, peer, signal)
          if (manifest === undefined) {
            const answer = await request(
              session.stream,
              session.reader,
              { type: 'manifest', root },
              ManifestAnswer,
              {
                signal,
                timeoutMs,
                maxBytes: MAX_CHUNK_CONTROL_FRAME,
              },
            )
            if (contentRootOf(answer.manifest) !== root) {
              throw new InvalidManifestError(`Peer ${peer} sent a manifest that does not hash to ${root}.`)
            }
            manifest ??= answer.manifest
          }
          const have = await request(session.stream, session.reader, { type: 'have', root }, HaveAnswer, {
            signal,
            timeoutMs,
            maxBytes: MAX_CHUNK_CONTROL_FRAME,
          })
          haves.set(peer, decodeBitfield(have.bitfield, have.count))
          const host = options.transport === 'libp2p' ? undefined : c.dialer.remoteHost?.(peer)
          if (host !== undefined) {
            try {
              const t = await request(session.stream, session.reader, { type: 'bulk', root }, BulkAnswer, {
                signal,
                timeoutMs,
              })
              tickets.set(peer, { host, port: t.port, token: t.token })
            } catch (err) {
              if (!(err instanceof RemoteError)) throw err
            }
          }
          sessions.set(peer, session)
        } catch (err) {
          if (session !== undefined) closeSession(session)
          if (signal?.aborted === true) return
          if (err instanceof InvalidManifestError) {
            report({ peerId: peer, reason: 'bad-manifest', root, error: err })
          }
          c.log.debug({ err, peer, root }, 'provider unavailable for this fetch')
        }
      }),
    )
    throwIfAborted(signal)
    if (manifest === undefined) {
      throw new NoProvidersError(
        `None of the ${options.providers.length} providers could give the manifest of ${root}; retry when a holder is online.`,
        { details: { root, providers: options.providers.length } },
      )
    }
    await c.store.putManifest(manifest, root)
    await c.store.pin(root)
    const m: Manifest = manifest

    // 2. plan and fetch the missing chunks
    const missing = c.store.missingChunks(root)
    const reusedChunks = m.chunks.length - missing.length
    const plan = new FetchPlan(missing, streamsPerPeer)
    for (const [peer, holds] of haves) plan.addPeer(peer, holds)
    let doneBytes = m.chunks.reduce((n, h, i) => n + (c.store.hasChunk(h) ? chunkLength(m, i) : 0), 0)
    let fetchedBytes = 0
    let fetchedChunks = 0
    const byPeer: Record<string, number> = {}
    let wake: () => void = () => {}
    let changed = new Promise<void>((r) => (wake = r))
    const notify = (): void => {
      const w = wake
      changed = new Promise<void>((r) => (wake = r))
      w()
    }

    const worker = async (peer: string, first: Session | undefined): Promise<void> => {
      let session = first
      let bulk: BulkChannelClient | undefined
      try {
        for (;;) {
          if (isAborted(signal)) return
          const index = plan.next(peer)
          if (index === undefined) {
            if (plan.done || !plan.livePeers().includes(peer) || !plan.canProgress()) return
            await changed
            continue
          }
          const hash = m.chunks[index]!
          const expected = chunkLength(m, index)
          try {
            const reqSignal = withTimeout(signal, timeoutMs)
            let stored = false
            const ticket = tickets.get(peer)
            if (ticket !== undefined && !bulkOff.has(peer)) {
              try {
                bulk ??= await BulkChannelClient.open(ticket.host, ticket.port, ticket.token, reqSignal)
                const parts = await bulk.fetch(hash, expected, reqSignal)
                if (parts.reduce((n, b) => n + b.byteLength, 0) !== expected) {
                  throw new ChunkHashMismatchError(`Bulk channel sent a short chunk ${index}.`)
                }
                await c.store.putChunk(hash, parts)
                stored = true
                bulkChunks++
              } catch (err) {
                if (isAborted(signal)) throw err
                if (err instanceof ChunkNotFoundError) throw new RemoteError('NotFoundError', err.message)
                // The bulk channel is unauthenticated: bad bytes or errors there are not proof against
                // the peer. Fall back to its Noise-protected libp2p stream, where they would be.
                c.log.debug({ err, peer, index }, 'bulk channel failed; falling back to libp2p')
                bulkOff.add(peer)
                bulk?.close()
                bulk = undefined
              }
            }
            if (!stored) {
              session ??= await openSession(c.dialer, peer, signal)
              const header = await request(
                session.stream,
                session.reader,
                { type: 'chunk', hash },
                ChunkHeader,
                {
                  signal: reqSignal,
                  timeoutMs,
                  maxBytes: 4096,
                },
              )
              if (header.hash !== hash || header.size !== expected) {
                throw new ChunkHashMismatchError(
                  `Peer announced ${header.size} bytes for chunk ${index}, expected ${expected}.`,
                )
              }
              const body = await session.reader.next({ signal: reqSignal, maxBytes: expected })
              if (body === null || body.byteLength !== expected) {
                throw new ChunkHashMismatchError(`Peer sent a short chunk ${index}.`)
              }
              await c.store.putChunk(hash, [...body])
            }
            plan.succeed(index, peer)
            fetchedChunks++
            fetchedBytes += expected
            doneBytes += expected
            byPeer[peer] = (byPeer[peer] ?? 0) + 1
            const elapsed = Math.max(1, Date.now() - started) / 1000
            options.onProgress?.({
              type: 'store:chunk:verified',
              detail: {
                root,
                index,
                hash,
                peerId: peer,
                bytes: expected,
                doneBytes,
                totalBytes: m.size,
                rate: fetchedBytes / elapsed,
              },
            })
          } catch (err) {
            if (isAborted(signal)) {
              plan.fail(index, peer)
              return
            }
            if (err instanceof ChunkHashMismatchError) {
              plan.dropPeer(peer)
              report({ peerId: peer, reason: 'bad-chunk', root, chunk: index, error: err })
              return
            }
            if (err instanceof RemoteError && err.remoteName.endsWith('NotFoundError')) {
              // the peer's bitfield said yes, the chunk is gone now: try it elsewhere
              plan.fail(index, peer)
              continue
            }
            c.log.debug({ err, peer, index }, 'chunk request failed; dropping peer from this fetch')
            plan.dropPeer(peer)
            return
          } finally {
            notify()
          }
        }
      } finally {
        if (session !== undefined) closeSession(session)
        bulk?.close()
        notify()
      }
    }

    const workers: Promise<void>[] = []
    for (const peer of plan.livePeers()) {
      for (let slot = 0; slot < streamsPerPeer; slot++) {
        const first = slot === 0 ? sessions.get(peer) : undefined
        if (first !== undefined) sessions.delete(peer)
        workers.push(worker(peer, first))
      }
    }
    await Promise.all(workers)
    throwIfAborted(signal)
    if (!plan.done || !c.store.has(root)) {
      const left = c.store.missingChunks(root).length
      throw new NoProvidersError(
        `Fetch of ${root} stopped with ${left} of ${m.chunks.length} chunks missing: no live provider holds them. ` +
          'Verified chunks are kept; retry once another holder is online.',
        { details: { root, missingChunks: left, misbehaving } },
      )
    }
    return {
      root,
      size: m.size,
      fetchedChunks,
      fetchedBytes,
      reusedChunks,
      durationMs: Date.now() - started,
      byPeer,
      misbehaving,
      bulkChunks,
    }
  } catch (err) {
    if (isAborted(signal) && !(err instanceof AbortedError)) throw new AbortedError(undefined, { cause: err })
    throw err
  } finally {
    closeAll()
  }
}

async function openSession(
  dialer: StreamDialer,
  peer: string,
  signal: AbortSignal | undefined,
): Promise<Session> {
  const stream = await dialer.dial(peer, CHUNKS_PROTOCOL, { signal })
  return { stream, reader: new FrameReader(stream, MAX_CHUNK_SIZE) }
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true
}

function closeSession(s: Session): void {
  s.reader.release()
  s.stream.close().catch(() => s.stream.abort(new Error('closing chunk session')))
}
