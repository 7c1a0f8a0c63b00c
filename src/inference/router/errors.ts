import { InvalidInputError, PermissionDeniedError, UnavailableError } from '../../errors.ts'

/** The model version is published but neither this node nor any known peer serves it now. */
export class NoServingNodeError extends UnavailableError {}

/** Every node that served the model failed this request (after failover); retry later. */
export class InferenceUnavailableError extends UnavailableError {}

/** The serving peer refused the request as invalid (e.g. the prompt does not fit its context). */
export class PeerRejectedRequestError extends InvalidInputError {}

/** A serving peer refused the consumer under the model's usage policy (its policy view differed from ours). */
export class PeerRefusedConsumerError extends PermissionDeniedError {}
