/** Default chunk size: large enough that per-chunk costs (request, fsync, rename) vanish next to the bytes. */
export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024

/** Largest chunk size a manifest may declare. */
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024

/** Manifest format version. */
export const MANIFEST_VERSION = 1

/** Multicodec of the manifest CID: `json` (0x0200); the manifest is canonical JSON, hashed with sha2-256. */
export const MANIFEST_CODEC = 0x0200

/** Multihash code of sha2-256. */
export const SHA256_CODE = 0x12

/**
 * Largest manifest accepted (bytes of canonical JSON), from disk, from a peer or built here: ~120k
 * chunks, i.e. ~480 GB at 4 MiB chunks.
 */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024

/** Largest control frame of the chunk protocol: a manifest answer at the manifest limit plus its envelope. */
export const MAX_CHUNK_CONTROL_FRAME_BYTES = MAX_MANIFEST_BYTES + 4096

/** Largest request, and largest chunk header, on the chunk protocol. */
export const MAX_CHUNK_REQUEST_FRAME_BYTES = 4096

/** Chunk requests a fetch keeps in flight per peer (2 measured best on loopback vs 4 and 8). */
export const FETCH_STREAMS_PER_PEER = 2

/** Timeout of one chunk request during a fetch (ms). */
export const FETCH_REQUEST_TIMEOUT_MS = 60_000

/** Lifetime of a bulk-channel ticket (ms). */
export const BULK_TICKET_TTL_MS = 60_000

/** A bulk connection idle this long is closed (ms). */
export const BULK_IDLE_TIMEOUT_MS = 60_000

/** Time a new bulk connection has to present its ticket (ms). */
export const BULK_TOKEN_TIMEOUT_MS = 10_000

/** Most bulk connections served at once. */
export const BULK_MAX_CONNECTIONS = 256

/** Bulk-channel tickets outstanding per peer; issuing one more retires that peer's oldest. */
export const BULK_TICKETS_PER_PEER = 8

/** Bulk-channel tickets outstanding over all peers; issuing one more retires the oldest of all. */
export const BULK_MAX_TICKETS = 4096

/** Largest encrypted record of a chunk body on the bulk channel (one AES-256-GCM seal each). */
export const BULK_RECORD_BYTES = 1024 * 1024

/** Read buffer of a bulk client connection, reused for its every read (ciphertext is deciphered from it at once). */
export const BULK_READ_BUFFER_BYTES = 256 * 1024
