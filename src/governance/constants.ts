/** Longest model name the registry accepts (ModelRegistry.MAX_NAME_BYTES). */
export const MAX_MODEL_NAME_BYTES = 64

/** Most initial owners of a model (ModelRegistry.MAX_OWNERS). */
export const MAX_OWNERS = 64

/** Longest card or policy URI (ModelRegistry.MAX_URI_BYTES; characters here, bytes on chain). */
export const MAX_URI_CHARS = 512

/** Longest proposal description and vote reason: they are stored in event logs, so gas grows with them. */
export const MAX_DESCRIPTION_CHARS = 4_000
export const MAX_REASON_CHARS = 2_000

/** Decimals of evaluation values and thresholds on chain (ReleaseGate: fixed point). */
export const RELEASE_VALUE_DECIMALS = 6

/** Most requirements in a release policy (ReleaseGate.MAX_REQUIREMENTS). */
export const MAX_RELEASE_REQUIREMENTS = 8

/**
 * How long a cap table read at one block is kept: readers at the same head (every open page refetches on
 * each block) share one scan of the token's events instead of one each.
 */
export const HOLDERS_CACHE_MS = 10_000
