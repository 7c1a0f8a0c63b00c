/**
 * The one table that translates error names at the boundaries: HTTP status and OpenAI-style `type`,
 * CLI exit code. An error not listed takes the entry of its nearest listed ancestor class; anything
 * else is an internal error (500 / exit 1) whose message is logged, never echoed.
 */
export interface ErrorCode {
  status: number
  exit: number
  type: string
}

export const ERROR_CODES: Record<string, ErrorCode> = {
  // The categories (src/errors.ts): every error class extends one.
  InvalidInputError: { status: 400, exit: 2, type: 'invalid_request_error' },
  NotFoundError: { status: 404, exit: 3, type: 'not_found_error' },
  RefusedError: { status: 409, exit: 4, type: 'conflict_error' },
  UnauthorizedError: { status: 401, exit: 6, type: 'authentication_error' },
  PermissionDeniedError: { status: 403, exit: 6, type: 'permission_error' },
  UnavailableError: { status: 503, exit: 8, type: 'service_unavailable' },
  PeerFailureError: { status: 502, exit: 9, type: 'peer_error' },
  InternalError: { status: 500, exit: 1, type: 'server_error' },
  AbortedError: { status: 499, exit: 130, type: 'aborted' },
  // Classes whose code differs from their category's.
  UnsupportedMediaTypeError: { status: 415, exit: 2, type: 'invalid_request_error' },
  InvalidConfigError: { status: 500, exit: 2, type: 'invalid_config' },
  DevnetOnlyError: { status: 400, exit: 2, type: 'invalid_request_error' },
  ModelNotFoundError: { status: 404, exit: 3, type: 'not_found_error' },
  ProposalNotFoundError: { status: 404, exit: 3, type: 'not_found_error' },
  ProposalStateError: { status: 409, exit: 4, type: 'conflict_error' },
  ContractRevertedError: { status: 422, exit: 4, type: 'contract_reverted' },
  ChainUnavailableError: { status: 503, exit: 5, type: 'chain_unavailable' },
  DeploymentMissingError: { status: 503, exit: 5, type: 'chain_unavailable' },
  KeyLockedError: { status: 423, exit: 6, type: 'authentication_error' },
  WrongPassphraseError: { status: 401, exit: 6, type: 'authentication_error' },
  NodeAlreadyRunningError: { status: 409, exit: 7, type: 'conflict_error' },
  NodeUnreachableError: { status: 503, exit: 8, type: 'node_unreachable' },
  NoProvidersError: { status: 503, exit: 9, type: 'no_providers' },
  IncompleteContentError: { status: 409, exit: 4, type: 'conflict_error' },
  ChunkHashMismatchError: { status: 502, exit: 9, type: 'bad_peer_data' },
  PeerNotAdmittedError: { status: 403, exit: 6, type: 'permission_error' },
  RequestTimeoutError: { status: 504, exit: 9, type: 'timeout' },
  FetchFailedError: { status: 502, exit: 9, type: 'fetch_failed' },
  NotJobCoordinatorError: { status: 403, exit: 6, type: 'permission_error' },
  KeySignatureInvalidError: { status: 401, exit: 6, type: 'authentication_error' },
  RoundBelowThresholdError: { status: 409, exit: 4, type: 'conflict_error' },
  JobNotJoinedError: { status: 409, exit: 4, type: 'conflict_error' },
  JobSpecMismatchError: { status: 409, exit: 4, type: 'conflict_error' },
  JobStateCorruptError: { status: 500, exit: 1, type: 'server_error' },
  RoundProtocolError: { status: 502, exit: 9, type: 'protocol_error' },
  TrainingJobNotFoundError: { status: 404, exit: 3, type: 'not_found_error' },
  // The usage policy's refusals (policy/errors.ts), OpenAI-shaped.
  PaymentRequiredError: { status: 402, exit: 4, type: 'insufficient_quota' },
  VoucherSignerMissingError: { status: 402, exit: 4, type: 'insufficient_quota' },
  ConsumerRateLimitedError: { status: 429, exit: 8, type: 'rate_limit_error' },
  SignInBusyError: { status: 503, exit: 8, type: 'service_unavailable' },
  // Named here (same codes as their categories) so the CLI keeps the name of a remote error: exit 3 / 2.
  CorpusNotFoundError: { status: 404, exit: 3, type: 'not_found_error' },
  CorpusTooSmallError: { status: 400, exit: 2, type: 'invalid_request_error' },
  ModelBusyError: { status: 429, exit: 8, type: 'rate_limit_error' },
  NoServingNodeError: { status: 503, exit: 8, type: 'service_unavailable' },
  InferenceUnavailableError: { status: 503, exit: 8, type: 'service_unavailable' },
  InferenceTimeoutError: { status: 504, exit: 8, type: 'timeout' },
}

const INTERNAL: ErrorCode = { status: 500, exit: 1, type: 'server_error' }

/** The code for an error, by its name or the nearest ancestor class's name. */
export function errorCodeOf(err: unknown): ErrorCode & { known: boolean } {
  if (err instanceof Error) {
    const direct = ERROR_CODES[err.name]
    if (direct) return { ...direct, known: true }
    for (
      let proto = Object.getPrototypeOf(err);
      proto && proto !== Error.prototype;
      proto = Object.getPrototypeOf(proto)
    ) {
      const code = ERROR_CODES[proto.constructor?.name as string]
      if (code) return { ...code, known: true }
    }
  }
  return { ...INTERNAL, known: false }
}
