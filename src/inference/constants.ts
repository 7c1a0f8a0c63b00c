/** Requests per model in progress or waiting on this node (from /v1 and from peers alike); beyond it, ModelBusyError (429). */
export const DEFAULT_MAX_IN_FLIGHT_PER_MODEL = 16

/** Retry-After (s) sent with a ModelBusyError. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1

/** How often the model server re-checks the serving list and newly published versions (ms). */
export const DEFAULT_MODEL_REFRESH_MS = 30_000
