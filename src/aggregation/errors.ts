import { InvalidInputError, RefusedError } from '../errors.ts'

/** An update names a tensor the global model does not have. */
export class UnknownTensorError extends InvalidInputError {}

/** An update lacks a tensor the global model has. */
export class MissingTensorError extends InvalidInputError {}

/** An update tensor's shape (or its data length) differs from the global tensor's. */
export class UpdateShapeMismatchError extends InvalidInputError {}

/** An update holds NaN or an infinity. */
export class UpdateNotFiniteError extends InvalidInputError {}

/** An update's L2 norm is above the round's bound. */
export class UpdateNormExceededError extends InvalidInputError {}

/** An update carries more bytes than the round accepts. */
export class UpdateTooLargeError extends InvalidInputError {}

/** An update's example count is not a positive finite number. */
export class InvalidExampleCountError extends InvalidInputError {}

/** Two updates in one aggregation come from the same member. */
export class DuplicateUpdateError extends InvalidInputError {}

/** A strategy got fewer updates than its rule needs (Krum needs n >= 2f + 3). */
export class NotEnoughUpdatesError extends RefusedError {}

/** A strategy was configured with parameters outside their domain. */
export class InvalidStrategyConfigError extends InvalidInputError {}
