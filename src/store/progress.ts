import type { ProgressEvent } from '../progress.ts'

export type { OnProgress, ProgressEvent } from '../progress.ts'

/** Emitted by `add` after each chunk is hashed and stored. */
export type ChunkStoredEvent = ProgressEvent<
  'store:chunk:stored',
  { index: number; hash: string; bytes: number; doneBytes: number; totalBytes: number }
>

/** Emitted by `export` after each chunk is written to the destination. */
export type ChunkExportedEvent = ProgressEvent<
  'store:chunk:exported',
  { index: number; bytes: number; doneBytes: number; totalBytes: number }
>

/** Emitted by a fetch after each chunk from a peer is verified and stored. */
export type ChunkVerifiedEvent = ProgressEvent<
  'store:chunk:verified',
  {
    root: string
    index: number
    hash: string
    peerId: string
    bytes: number
    /** Bytes of this content present so far (including chunks held before the fetch). */
    doneBytes: number
    totalBytes: number
    /** Average bytes per second fetched since the fetch started. */
    rate: number
  }
>
