/** Kademlia DHT protocol under our private prefix, so we never join the public IPFS DHT. */
export const DHT_PROTOCOL = '/commons/kad/1.0.0'

/** Gossip topic for node announcements. */
export const ANNOUNCE_TOPIC = '/commons/announce/1'

/** Default listen address: loopback, random port. */
export const DEFAULT_LISTEN = ['/ip4/127.0.0.1/tcp/0']

/** How long an admission decision is cached. */
export const ADMISSION_CACHE_TTL_MS = 30_000

/** Largest JSON control frame accepted on a stream protocol. */
export const MAX_CONTROL_FRAME_BYTES = 8 * 1024 * 1024

/** Largest announcement accepted on the gossip topic. */
export const MAX_ANNOUNCEMENT_BYTES = 64 * 1024

/** Announcements older than this are rejected as stale, and directory entries not refreshed for this long are pruned. */
export const ANNOUNCEMENT_MAX_AGE_MS = 5 * 60_000

/** Allowed clock skew for announcement timestamps in the future. */
export const ANNOUNCEMENT_MAX_FUTURE_MS = 30_000

/** Default request timeout for stream request/response helpers. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/**
 * Yamux stream window: large windows let one stream carry a whole chunk without waiting for window
 * updates (the default 256 KiB max window caps a stream at one window per RTT).
 */
export const YAMUX_MAX_STREAM_WINDOW = 16 * 1024 * 1024

/** Largest yamux data frame; fewer, larger frames cost less per byte. */
export const YAMUX_MAX_MESSAGE_SIZE = 256 * 1024

/** Read-buffer limit of one yamux stream: a few stream windows (a chunk body arrives in one window). */
export const YAMUX_MAX_READ_BUFFER = 64 * 1024 * 1024

/** Default interval between dials of the bootstrap peers (ms). */
export const BOOTSTRAP_INTERVAL_MS = 10_000

/** Time a freshly dialled peer has to answer the admission ping (ms). */
export const ADMISSION_PING_TIMEOUT_MS = 10_000

/** Default interval between re-announcements (ms); the node's config sets its own. */
export const ANNOUNCE_INTERVAL_MS = 30_000
