import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { z } from 'zod'
import {
  MANIFEST_CODEC,
  MANIFEST_VERSION,
  MAX_CHUNK_SIZE,
  MAX_MANIFEST_BYTES,
  SHA256_CODE,
} from './constants.ts'
import { InvalidContentRootError, InvalidManifestError } from './errors.ts'

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase 64-hex sha256')

/** Schema of a manifest as it travels and is stored. */
export const ManifestSchema = z
  .object({
    version: z.literal(MANIFEST_VERSION),
    chunkSize: z.number().int().min(1).max(MAX_CHUNK_SIZE),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    chunks: z.array(Sha256Hex),
    name: z.string().max(255).optional(),
    mediaType: z.string().max(255).optional(),
  })
  .strict()
  .refine((m) => m.chunks.length === Math.ceil(m.size / m.chunkSize), {
    message: 'chunks.length must equal ceil(size / chunkSize)',
  })

/** A file's manifest: its chunk hashes in order. Its sha256 over the canonical encoding is the content root. */
export type Manifest = z.infer<typeof ManifestSchema>

/** A content root: lowercase hex sha256 of the canonical manifest bytes. */
export type ContentRoot = string

/**
 * Canonical bytes of a manifest: JSON with keys sorted and no whitespace (RFC 8785 JCS coincides with
 * this for the manifest's strings and safe integers). Hash these, never a re-serialisation.
 */
export function encodeManifest(manifest: Manifest): Uint8Array {
  const sorted: Record<string, unknown> = {
    chunkSize: manifest.chunkSize,
    chunks: manifest.chunks,
    ...(manifest.mediaType !== undefined ? { mediaType: manifest.mediaType } : {}),
    ...(manifest.name !== undefined ? { name: manifest.name } : {}),
    size: manifest.size,
    version: manifest.version,
  }
  return Buffer.from(JSON.stringify(sorted), 'utf8')
}

/** The content root (hex sha256) of a manifest. */
export function contentRootOf(manifest: Manifest): ContentRoot {
  return createHash('sha256').update(encodeManifest(manifest)).digest('hex')
}

/** Parses and validates manifest bytes (at most MAX_MANIFEST_BYTES); when `root` is given, the bytes must hash to it. */
export function decodeManifest(bytes: Uint8Array, root?: ContentRoot): Manifest {
  checkManifestSize(bytes.byteLength)
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
  } catch (cause) {
    throw new InvalidManifestError('Manifest is not valid JSON.', { cause })
  }
  const parsed = ManifestSchema.safeParse(value)
  if (!parsed.success)
    throw new InvalidManifestError(`Invalid manifest: ${parsed.error.message.slice(0, 300)}`)
  if (root !== undefined && contentRootOf(parsed.data) !== root) {
    throw new InvalidManifestError(`Manifest does not hash to content root ${root}; refusing it.`)
  }
  return parsed.data
}

/** Throws InvalidManifestError when a manifest of `byteLength` bytes is over MAX_MANIFEST_BYTES. */
export function checkManifestSize(byteLength: number): void {
  if (byteLength > MAX_MANIFEST_BYTES) {
    throw new InvalidManifestError(
      `Manifest of ${byteLength} bytes is over the ${MAX_MANIFEST_BYTES}-byte limit; refusing it. Split the content into several files, or add it with a larger chunk size.`,
      { details: { bytes: byteLength, limit: MAX_MANIFEST_BYTES } },
    )
  }
}

/** Size in bytes of chunk `index` of a manifest. */
export function chunkLength(manifest: Manifest, index: number): number {
  const last = manifest.chunks.length - 1
  return index < last ? manifest.chunkSize : manifest.size - manifest.chunkSize * last
}

/** The CIDv1 (codec json 0x0200, sha2-256) naming the same manifest as a hex content root. */
export function contentRootToCid(root: ContentRoot): string {
  return CID.createV1(MANIFEST_CODEC, Digest.create(SHA256_CODE, Buffer.from(root, 'hex'))).toString()
}

/** Accepts a hex content root or a manifest CID and returns the hex content root. */
export function parseContentRoot(value: string): ContentRoot {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase()
  try {
    const cid = CID.parse(value)
    if (cid.multihash.code === SHA256_CODE && cid.code === MANIFEST_CODEC) {
      return Buffer.from(cid.multihash.digest).toString('hex')
    }
  } catch (cause) {
    throw new InvalidContentRootError(`Not a content root (64-hex sha256 or manifest CID): ${value}.`, {
      cause,
    })
  }
  throw new InvalidContentRootError(`CID ${value} is not a sha2-256 json manifest CID.`)
}
