import type { PrivateKey } from '@libp2p/interface'
import { z } from 'zod'
import { InvalidAnnouncementError } from './errors.ts'
import { parsePeerId } from './peer-identity.ts'

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/)

/** What a node tells the network about itself. */
export const AnnouncementSchema = z
  .object({
    v: z.literal(1),
    peerId: z.string().min(1).max(128),
    /** Multiaddrs other members can dial. */
    addrs: z.array(z.string().max(256)).max(16),
    /** Content roots this node holds completely. */
    roots: z.array(Hex64).max(4096),
    /** Model versions this node serves for inference. */
    serves: z
      .array(z.object({ model: z.string().min(1).max(128), version: z.string().min(1).max(64) }).strict())
      .max(256),
    /** Current load, 0 (idle) to 1 (saturated). */
    load: z.number().min(0).max(1),
    /** Price in wei per 1000 tokens, as a decimal string. */
    priceWeiPer1kTokens: z.string().regex(/^\d{1,78}$/),
    /** Strictly increasing per node (ms clock based, survives restarts). */
    seqno: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Unix ms when it was made. */
    timestamp: z.number().int().min(0),
  })
  .strict()

/** A node announcement. */
export type Announcement = z.infer<typeof AnnouncementSchema>

/** Wire envelope: `body` is the announcement's JSON text, `sig` the node key's signature over its UTF-8 bytes. */
const EnvelopeSchema = z.object({ body: z.string(), sig: z.string().max(256) }).strict()

/** Encodes and signs an announcement with the node's libp2p key (the same key as its PeerId and EVM account). */
export async function encodeAnnouncement(a: Announcement, key: PrivateKey): Promise<Uint8Array> {
  const body = JSON.stringify(AnnouncementSchema.parse(a))
  const sig = await key.sign(Buffer.from(body, 'utf8'))
  return Buffer.from(JSON.stringify({ body, sig: Buffer.from(sig).toString('base64') }), 'utf8')
}

/**
 * Decodes an announcement and checks its schema, that it is signed by the key of the PeerId it names,
 * and (when `from` is given) that it names the gossip sender. Throws InvalidAnnouncementError with
 * `details.reason` = `malformed` | `wrong-sender` | `bad-signature`.
 */
export async function decodeAnnouncement(data: Uint8Array, from?: string): Promise<Announcement> {
  let body: string
  let sig: Buffer
  let announcement: Announcement
  try {
    const envelope = EnvelopeSchema.parse(JSON.parse(Buffer.from(data).toString('utf8')))
    body = envelope.body
    sig = Buffer.from(envelope.sig, 'base64')
    announcement = AnnouncementSchema.parse(JSON.parse(body))
  } catch (cause) {
    throw new InvalidAnnouncementError('Announcement is not valid JSON of the expected shape.', {
      cause,
      details: { reason: 'malformed' },
    })
  }
  if (from !== undefined && announcement.peerId !== from) {
    throw new InvalidAnnouncementError(`Announcement for ${announcement.peerId} was published by ${from}.`, {
      details: { reason: 'wrong-sender' },
    })
  }
  let ok = false
  try {
    const publicKey = parsePeerId(announcement.peerId).publicKey
    ok = publicKey !== undefined && (await publicKey.verify(Buffer.from(body, 'utf8'), sig))
  } catch {
    ok = false
  }
  if (!ok) {
    throw new InvalidAnnouncementError(`Announcement signature does not match ${announcement.peerId}.`, {
      details: { reason: 'bad-signature' },
    })
  }
  return announcement
}
