import {
  InternalError,
  InvalidInputError,
  NotFoundError,
  PeerFailureError,
  PermissionDeniedError,
  RefusedError,
  UnauthorizedError,
} from '../errors.ts'

/** A training job spec is malformed or inconsistent (e.g. a robust strategy without secure buckets). */
export class InvalidTrainingJobError extends InvalidInputError {}

/** No training job with that id is known to this node. */
export class TrainingJobNotFoundError extends NotFoundError {}

/** Too few members answered a phase in time for secure aggregation to recover the sum. */
export class RoundBelowThresholdError extends RefusedError {}

/** A member's advertised keys carry no valid signature of its node identity. */
export class KeySignatureInvalidError extends UnauthorizedError {}

/** A round message came from a peer that is not the job's current coordinator. */
export class NotJobCoordinatorError extends PermissionDeniedError {}

/** This node has not joined the job (no local data registered for it), so it refuses to train. */
export class JobNotJoinedError extends RefusedError {}

/** The job spec a coordinator sent does not hash to the spec hash recorded on chain. */
export class JobSpecMismatchError extends RefusedError {}

/**
 * A coordinator's round parameters differ from what the job spec recorded on chain dictates (threshold,
 * noise, fixed point, members, local training, global model, round number): the participant refuses.
 */
export class RoundParameterMismatchError extends RefusedError {}

/** The job asks for more local training than this node accepts (its local training limits). */
export class LocalTrainingLimitError extends RefusedError {}

/** An unmask request would reveal a sum holding fewer than two updates besides the coordinator's own. */
export class UnsafeRevealError extends RefusedError {}

/** A message arrived out of order or named members outside the job. */
export class RoundProtocolError extends PeerFailureError {}

/** The persisted job state or global model copy is missing, corrupt, or does not match the chain. */
export class JobStateCorruptError extends InternalError {}

/**
 * A member refuses to train for a job on a dataset it may not use for it: not named by the job, not owned nor
 * licensed, withdrawn, its consent terms not allowing the job's purpose, or its local copy not matching the
 * manifest recorded on chain. The message lists each dataset with its reason.
 */
export class DatasetUseRefusedError extends RefusedError {}
