import { InvalidInputError, PeerFailureError, RefusedError } from '../../errors.ts'

/** Fewer members remain than the Shamir threshold: the sum cannot be unmasked (or would not be safe to). */
export class SecAggBelowThresholdError extends RefusedError {}

/** A secure-aggregation message arrived out of phase, from an unknown member, twice, or inconsistent. */
export class SecAggProtocolError extends InvalidInputError {}

/** An encrypted seed share failed authentication: wrong recipient, tampered, or from another round. */
export class SecAggShareDecryptionError extends InvalidInputError {}

/** Revealed shares did not reconstruct the committed secret (a member sent a bad share). */
export class SecAggReconstructionError extends PeerFailureError {}

/** Secure aggregation was configured with parameters outside their domain. */
export class SecAggConfigError extends InvalidInputError {}

/**
 * A decoded secure sum lies outside what its members could produce by following the protocol (a coordinate
 * beyond count x maxAbs or an L2 norm beyond count x clip plus the noise allowance): some member sent an
 * out-of-range input, so the sum is discarded.
 */
export class SecureSumOutOfBoundsError extends PeerFailureError {}
