import { type Announcement, decodeAnnouncement } from './announcement.ts'
import { ANNOUNCEMENT_MAX_AGE_MS, ANNOUNCEMENT_MAX_FUTURE_MS, MAX_ANNOUNCEMENT_BYTES } from './constants.ts'
import { InvalidAnnouncementError } from './errors.ts'

/** Why an announcement was refused. */
export type RejectReason =
  | 'oversized'
  | 'malformed'
  | 'wrong-sender'
  | 'bad-signature'
  | 'replayed'
  | 'stale'
  | 'future'

/** Limits of the validator. */
export interface AnnouncementLimits {
  maxBytes: number
  maxAgeMs: number
  maxFutureMs: number
}

/** Default limits. */
export const DEFAULT_ANNOUNCEMENT_LIMITS: AnnouncementLimits = {
  maxBytes: MAX_ANNOUNCEMENT_BYTES,
  maxAgeMs: ANNOUNCEMENT_MAX_AGE_MS,
  maxFutureMs: ANNOUNCEMENT_MAX_FUTURE_MS,
}

/**
 * Validates announcements in arrival order: size, schema, sender, signature, freshness, and a seqno
 * strictly above the last accepted one from the same peer (replay protection).
 */
export class AnnouncementValidator {
  private readonly lastSeqno = new Map<string, number>()

  constructor(private readonly limits: AnnouncementLimits = DEFAULT_ANNOUNCEMENT_LIMITS) {}

  /** The announcement, or the reason it is refused. */
  async validate(
    data: Uint8Array,
    from: string,
    now = Date.now(),
  ): Promise<{ ok: true; announcement: Announcement } | { ok: false; reason: RejectReason }> {
    if (data.byteLength > this.limits.maxBytes) return { ok: false, reason: 'oversized' }
    let a: Announcement
    try {
      a = await decodeAnnouncement(data, from)
    } catch (err) {
      if (err instanceof InvalidAnnouncementError) {
        return { ok: false, reason: (err.details?.reason as RejectReason | undefined) ?? 'malformed' }
      }
      throw err
    }
    if (now - a.timestamp > this.limits.maxAgeMs) return { ok: false, reason: 'stale' }
    if (a.timestamp - now > this.limits.maxFutureMs) return { ok: false, reason: 'future' }
    if (a.seqno <= (this.lastSeqno.get(a.peerId) ?? -1)) return { ok: false, reason: 'replayed' }
    this.lastSeqno.set(a.peerId, a.seqno)
    return { ok: true, announcement: a }
  }
}
