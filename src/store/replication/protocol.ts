import { z } from 'zod'
import { ManifestSchema } from '../manifest.ts'

/** Stream protocol for chunk replication. */
export const CHUNKS_PROTOCOL = '/commons/chunks/1.0.0'

/** Inbound/outbound stream limits per connection for the chunk protocol. */
export const CHUNK_STREAM_LIMIT = 256

const Root = z.string().regex(/^[0-9a-f]{64}$/)

/** A request on `/commons/chunks/1.0.0`. Several may follow each other on one stream, one at a time. */
export const ChunkRequest = z.discriminatedUnion('type', [
  z.object({ type: z.literal('manifest'), root: Root }).strict(),
  z.object({ type: z.literal('have'), root: Root }).strict(),
  z.object({ type: z.literal('chunk'), hash: Root }).strict(),
  z.object({ type: z.literal('bulk'), root: Root }).strict(),
])
export type ChunkRequest = z.infer<typeof ChunkRequest>

/** Answer to `manifest`. */
export const ManifestAnswer = z.object({ type: z.literal('manifest'), manifest: ManifestSchema })
export type ManifestAnswer = z.infer<typeof ManifestAnswer>

/** Answer to `have`: which chunks of the root's manifest the peer holds. */
export const HaveAnswer = z.object({
  type: z.literal('have'),
  root: Root,
  count: z.number().int().min(0),
  bitfield: z.string().max(200_000),
})

/** Header answering `chunk`; a binary frame of exactly `size` bytes follows. */
export const ChunkHeader = z.object({ type: z.literal('chunk'), hash: Root, size: z.number().int().min(0) })

/**
 * Answer to `bulk`: a single-use ticket for the encrypted TCP bulk channel (see bulk-channel.ts): its
 * id and the connection's AES-256-GCM key, which only ever travel on this Noise-secured stream.
 */
export const BulkAnswer = z.object({
  type: z.literal('bulk'),
  port: z.number().int().min(1).max(65535),
  ticket: z.string().regex(/^[0-9a-f]{32}$/),
  key: z.string().regex(/^[A-Za-z0-9+/]{43}=$/),
  ttlMs: z.number().int().min(0),
})
