/** Largest JSON body the Commons REST routes accept. */
export const MAX_JSON_BODY_BYTES = 256 * 1024

/** Pages the live event stream serves at once (each holds one connection and a share of the polling). */
export const MAX_EVENT_SUBSCRIBERS = 16
/** How often the event stream reads the chain head while a page listens: a CLI change shows within ~1 s. */
export const EVENT_POLL_MS = 400
/** Topics without a chain head change (peers, training) are re-read every this many polls (~4 s). */
export const EVENT_REFRESH_EVERY = 10
/** A comment line on the event stream this often keeps proxies and the page's watchdog from closing it. */
export const EVENT_HEARTBEAT_MS = 15_000
/** Signed votes the node relays (and pays gas for) per minute. */
export const VOTE_RELAYS_PER_MINUTE = 20
/**
 * Least time between two SSE events of a streamed answer (ms): tokens made sooner go out merged into the
 * next event (the first, the final and the first after a pause go at once). One event per token cost more
 * CPU than a small model's token itself; 16 ms is a 60 Hz screen's frame.
 */
export const SSE_COALESCE_MS = 16
