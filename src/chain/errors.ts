import { BaseError, ContractFunctionRevertedError } from 'viem'
import { CommonsError, InvalidInputError, NotFoundError, RefusedError, UnavailableError } from '../errors.ts'
import { GOVERNANCE_MINIMUMS as MIN } from './constants.ts'

/** The chain could not be reached or started. */
export class ChainUnavailableError extends UnavailableError {}

/** A transaction was mined but reverted, or a call reverted; `details.errorName` is the contract's custom error. */
export class ContractRevertedError extends RefusedError {}

/** The embedded devnet is required for this action (e.g. time warp) but the node uses an external RPC. */
export class DevnetOnlyError extends InvalidInputError {}

/** The deployment file is missing or does not match the chain. */
export class DeploymentMissingError extends UnavailableError {}

/** What a person should do about each contract error. */
const HINTS: Record<string, string> = {
  RegistryUnauthorized: 'only the model’s timelock can do this: make a governance proposal instead',
  SharesUnauthorizedMinter: 'only the model’s timelock can mint shares: propose `mint-shares` instead',
  TimelockUnauthorizedCaller: 'the timelock obeys only its governor: make a governance proposal',
  AccessControlUnauthorizedAccount:
    'that account lacks the role: roles belong to the model’s governor and timelock',
  RegistryNameTaken: 'pick another model name',
  RegistryUnknownModel: 'check the id with `commons model list`',
  RegistryUnknownVersion: 'check the version with `commons model show <model>`',
  RegistryNotShareholder: 'only holders of the model’s shares can propose a version',
  RegistryDuplicateVersion:
    'that content root is already the published version of this model; revoke it first to publish another',
  RegistryInvalidOwners: 'give between 1 and 64 owners, each with a share amount',
  RegistryInvalidSettings: 'the quorum must be between 1 and 100 percent',
  RegistrySettingBelowMinimum: `every model keeps a voting delay of at least ${MIN.votingDelay} s, a voting period of at least ${MIN.votingPeriod} s and a timelock delay of at least ${MIN.timelockDelay} s`,
  GovernorSettingBelowMinimum: `a voting delay is at least ${MIN.votingDelay} s, a voting period at least ${MIN.votingPeriod} s, a quorum at least 1 percent`,
  TimelockDelayBelowMinimum: `the timelock delay is at least ${MIN.timelockDelay} s`,
  RegistryVersionStatus: 'the version is not in a state that allows this (see `commons model show`)',
  SharesZeroAmount: 'every owner needs a positive number of shares',
  GovernorAlreadyCastVote: 'each account votes once per proposal',
  GovernorUnexpectedProposalState:
    'the proposal is not in the state this step needs (see `commons proposals`)',
  GovernorNonexistentProposal: 'check the id with `commons proposals`',
  GovernorInsufficientProposerVotes: 'the proposer needs more voting power (shares delegated to it)',
  GovernorRestrictedProposer: 'this proposer is not allowed by the description suffix',
  TimelockUnexpectedOperationState: 'the timelock delay has not passed yet, or the operation already ran',
  MembershipUnauthorized:
    'only the commons’s timelock changes membership: propose `admit-member` or `revoke-member`',
  MembershipAlreadyMember: 'that address is already a member',
  MembershipNotMember: 'that address is not a member (see `commons members`)',
  MembershipLastMember: 'the last member cannot be revoked: nobody would be left to vote',
  MembershipVotesNotDelegable: 'each member has one vote of its own; it cannot be delegated',
  NodePublicKeyMismatch: 'the public key must belong to the sending account',
  ERC20InsufficientBalance: 'the sender does not hold that many shares',
  TrainingNotShareholder: 'only holders of the model’s shares can create a training job',
  TrainingNotCoordinator: 'only the job’s current coordinator can do this',
  TrainingTakeoverTooEarly: 'the coordinator is still within its timeout; wait before taking over',
  TrainingJobNotActive: 'the job is finished or does not exist',
  RegistryReleasePolicyNotMet:
    'the version lacks the evaluations its release policy needs: approved evaluators must attest them (`commons eval attest`); see `commons model show`',
  GateEvaluatorNotApproved:
    'only evaluators the model’s governance approved can attest: propose `set-evaluator` for this account',
  GateUnauthorized: 'only the model’s timelock can do this: make a governance proposal instead',
  GateUnknownVersion: 'check the version with `commons model show <model>`',
  GateInvalidRequirement:
    'a requirement names an evaluation (1 to 32 bytes) and needs at least one attestation',
  GateTooManyAttestations: 'this version holds the most attestations the gate keeps',
}

/**
 * Turns a viem error from a contract call into a ContractRevertedError named after the contract's custom
 * error, with a hint; other errors become ChainUnavailableError. Returns CommonsErrors unchanged.
 */
export function translateChainError(err: unknown, action: string): CommonsError {
  if (err instanceof CommonsError) return err
  if (err instanceof BaseError) {
    const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError) {
      const errorName = reverted.data?.errorName ?? reverted.reason ?? 'unknown'
      const args = (reverted.data?.args ?? []).map((a) => (typeof a === 'bigint' ? a.toString() : a))
      const hint = HINTS[errorName]
      return new ContractRevertedError(
        `${action} was refused by the contract: ${errorName}(${args.join(', ')})${hint ? `; ${hint}` : ''}.`,
        { cause: err, details: { errorName, args } },
      )
    }
    const down = err.walk((e) => e instanceof ChainUnavailableError)
    if (
      down instanceof ChainUnavailableError ||
      /fetch failed|ECONNREFUSED|HTTP request failed|socket/i.test(err.message)
    ) {
      return new ChainUnavailableError(
        `${action} failed: the chain RPC is unreachable (${down instanceof ChainUnavailableError ? down.message : err.shortMessage}). Start the node with \`commons up\` or check --rpc.`,
        { cause: err },
      )
    }
    return new ContractRevertedError(`${action} failed: ${err.shortMessage}`, {
      cause: err,
      details: { errorName: 'unknown' },
    })
  }
  return new ChainUnavailableError(`${action} failed: ${(err as Error)?.message ?? String(err)}`, {
    cause: err,
  })
}

/** No proposal matches that id or reference. */
export class ProposalNotFoundError extends NotFoundError {}

/** The proposal is not in the state the requested step needs (e.g. voting closed). */
export class ProposalStateError extends RefusedError {}

/** The chain RPC endpoint did not answer (down, wrong URL, firewall). */
export class RpcUnreachableError extends ChainUnavailableError {}

/** The RPC endpoint serves another chain than the one expected (`--chain-id`). */
export class WrongChainIdError extends InvalidInputError {}

/** The signing account cannot pay for the gas of what it is asked to send; `details` says how much to add. */
export class InsufficientGasFundsError extends RefusedError {}

/** A deployment lists a contract whose code on the chain is not the artifact's (or is missing). */
export class DeployedCodeMismatchError extends RefusedError {}

/** The payment token named for a deployment is not an ERC20 (no code, or no decimals()). */
export class PaymentTokenInvalidError extends InvalidInputError {}

/** The deployment file names another payment currency than the UsageEscrow on chain pays in. */
export class PaymentCurrencyMismatchError extends RefusedError {}
