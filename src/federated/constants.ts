/** The stream protocol of federated rounds: the coordinator dials each participant once per round. */
export const FL_PROTOCOL = '/commons/fl/2.0.0'

/** Largest frame on the FL protocol: a configure or result frame carries the whole global model (base64). */
export const MAX_FL_FRAME_BYTES = 64 * 1024 * 1024

/** Default phase deadlines (ms). A member that misses one is dropped from the round. */
export const DEFAULT_TIMEOUTS = {
  /** Dial + configure + keys answer. */
  keysMs: 30_000,
  /** Shared keys answer after the roster. */
  sharesMs: 30_000,
  /** Local training + masked upload after the routed shares. */
  trainMs: 10 * 60_000,
  /** Unmask answer. */
  unmaskMs: 30_000,
} as const

/**
 * Smallest takeover timeout (s) a job may set: the TrainingLedger's MIN_TAKEOVER_TIMEOUT. It exceeds the
 * longest round of a coordinator with DEFAULT_TIMEOUTS (maxRoundSeconds: 720 s of phases and result
 * delivery + ROUND_MARGIN_S), so no participant can take over while an honest coordinator is mid-round.
 */
export const MIN_TAKEOVER_TIMEOUT_S = 900

/** Default seconds without a coordinator write before another participant may take over on chain. */
export const DEFAULT_TAKEOVER_TIMEOUT_S = MIN_TAKEOVER_TIMEOUT_S

/** Seconds added to the sum of phase deadlines for aggregation, the commit transaction and clock skew. */
export const ROUND_MARGIN_S = 60

/** Domain tag of the signature a member puts on its advertised secure-aggregation keys. */
export const KEYS_SIGNATURE_DOMAIN = 'commons/fl/keys/1'

/** Standard deviations of DP noise added to the clip bound to size the fixed-point clamp. */
export const NOISE_CLAMP_STDS = 6

/** Name of the job state file inside a job's folder. */
export const JOB_STATE_FILE = 'job.json'

/**
 * Fewest members of one secure sum whose inputs are revealed together. The coordinator may be one of them
 * and knows its own input, so a sum of fewer than three would give away the other member's update: no sum
 * is unmasked with fewer survivors, and every Shamir threshold is at least this.
 */
export const MIN_SUM_MEMBERS = 3

/** Fewest updates other than the coordinator's own that any unmasked sum may hold. */
export const MIN_HIDDEN_UPDATES = 2

/** Fewest participants of a job (MIN_SUM_MEMBERS). */
export const MIN_PARTICIPANTS = MIN_SUM_MEMBERS

/** Smallest secure-aggregation bucket: a bucket of two reveals one member's update to the other. */
export const MIN_BUCKET_SIZE = MIN_SUM_MEMBERS

/**
 * The local training a participant accepts by default, whatever the spec on chain says: a job beyond these
 * is refused (a node's operator can raise them in TrainingServiceInit.localTrainingLimits).
 */
export const DEFAULT_LOCAL_TRAINING_LIMITS = {
  maxSteps: 1_000,
  maxBatchSize: 64,
  maxSeqLen: 2_048,
  maxLearningRate: 1,
  /** steps x batchSize x seqLen: the tokens one round may make this node process. */
  maxTokensPerRound: 16 * 1024 * 1024,
} as const

/** The bucket id of a round that is one secure sum over every member (no `secureBuckets`). */
export const SINGLE_SUM = 'secure-sum'

/**
 * The delta at which the training view reports each member's spent epsilon (user-level DP: one member's
 * whole update is the unit). 1e-5 is the customary choice for "well below 1 / members".
 */
export const PRIVACY_REPORT_DELTA = 1e-5
