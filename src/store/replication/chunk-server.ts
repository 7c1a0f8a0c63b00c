import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { NotFoundError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import {
  closeWithError,
  encodeJsonFrame,
  encodeLength,
  errorFrame,
  FrameReader,
  MalformedFrameError,
  writeJson,
  writeRaw,
} from '../../net/index.ts'
import { MAX_CHUNK_REQUEST_FRAME_BYTES } from '../constants.ts'
import type { ContentStore } from '../content-store.ts'
import { encodeBitfield } from './bitfield.ts'
import type { BulkChannelServer } from './bulk-channel.ts'
import { ChunkRequest } from './protocol.ts'

/** The store calls the chunk server makes. */
export type ChunkServerStore = Pick<ContentStore, 'findManifest' | 'hasChunk' | 'readChunk'>

/** Serves manifest, have and chunk requests on one inbound stream until the remote closes it. */
export async function serveChunkStream(
  c: { store: ChunkServerStore; log: Logger; bulk?: BulkChannelServer },
  stream: Stream,
  peerId: string,
  remoteHost?: string,
): Promise<void> {
  // Requests are small: a tight limit stops a peer from making us buffer much.
  const reader = new FrameReader(stream, MAX_CHUNK_REQUEST_FRAME_BYTES)
  try {
    for (;;) {
      const frame = await reader.next()
      if (frame === null) break
      let req: ChunkRequest
      try {
        req = ChunkRequest.parse(JSON.parse(Buffer.from(frame.subarray()).toString('utf8')))
      } catch (cause) {
        throw new MalformedFrameError('Not a valid chunk protocol request.', { cause })
      }
      if (req.type === 'manifest') {
        const manifest = c.store.findManifest(req.root)
        if (manifest === undefined)
          await writeJson(stream, errorFrame(new NotFoundError(`No manifest ${req.root}.`)))
        else await writeRaw(stream, encodeJsonFrame({ type: 'manifest', manifest }), {})
      } else if (req.type === 'have') {
        const manifest = c.store.findManifest(req.root)
        if (manifest === undefined) {
          await writeJson(stream, errorFrame(new NotFoundError(`No manifest ${req.root}.`)))
        } else {
          const count = manifest.chunks.length
          const bitfield = encodeBitfield(count, (i) => c.store.hasChunk(manifest.chunks[i]!))
          await writeJson(stream, { type: 'have', root: req.root, count, bitfield })
        }
      } else if (req.type === 'bulk') {
        const ticket = c.bulk?.issue(peerId, req.root, remoteHost)
        if (ticket === undefined)
          await writeJson(stream, errorFrame(new NotFoundError('No bulk channel for this content.')))
        else await writeJson(stream, { type: 'bulk', ...ticket })
      } else {
        let data: Buffer
        try {
          data = await c.store.readChunk(req.hash)
        } catch (err) {
          await writeJson(stream, errorFrame(err))
          continue
        }
        const header = encodeJsonFrame({ type: 'chunk', hash: req.hash, size: data.byteLength })
        // one send: header frame, then the body frame; the body is never copied
        await writeRaw(stream, new Uint8ArrayList(header, encodeLength(data.byteLength), data))
      }
    }
    await stream.close()
  } catch (err) {
    c.log.debug({ err, peerId }, 'chunk stream failed')
    if (err instanceof MalformedFrameError) await closeWithError(stream, err)
    else stream.abort(err instanceof Error ? err : new Error(String(err)))
  } finally {
    reader.release()
  }
}
