import type { Logger } from '../log.ts'
import { EmbeddedChain } from './embedded-chain.ts'

/**
 * The chain domain: one action per contract read or write (`actions/`, `action(client, params)`), the
 * clients they take (`ChainReader`, `ChainWriter`), the embedded devnet with its journal, the deployment,
 * and the typed ABIs. It imports no other domain.
 */

/** Options of the embedded devnet. */
export interface EmbeddedChainOptions {
  /** Directory for chain state and the anvil pid file (`<data>/chain`). */
  dir: string
  chainId?: number
}

/** What the embedded devnet needs from the node. */
export interface ChainComponents {
  log: Logger
}

/**
 * Starts the embedded devnet (anvil) on its persisted state: snapshot + journal of confirmed transactions.
 * @example
 * const devnet = await createEmbeddedChain({ dir: layout.chain }, { log })
 * await devnet.warp(61); await devnet.stop()
 */
export function createEmbeddedChain(
  init: EmbeddedChainOptions,
  components: ChainComponents,
): Promise<EmbeddedChain> {
  return EmbeddedChain.start({ ...init, log: components.log.child({ component: 'chain' }) })
}

export {
  acceptTerms,
  getAcceptedTerms,
  relayTermsAcceptance,
  termsAcceptanceTypedData,
} from './actions/accepted-terms.ts'
export { type AttestVersionParams, attestVersion } from './actions/attest-version.ts'
export { castVote, VOTE_SUPPORT, type VoteChoice } from './actions/cast-vote.ts'
export {
  ballotSigner,
  castVoteBySig,
  EXTENDED_BALLOT_TYPES,
  type ExtendedBallot,
  readBallot,
  readVoterStanding,
} from './actions/cast-vote-by-sig.ts'
export {
  checkPaymentToken,
  NATIVE_CURRENCY,
  type PaymentCurrencyInfo,
} from './actions/check-payment-token.ts'
export { claimContributorRevenue } from './actions/claim-contributor-revenue.ts'
export { claimDatasetRevenue } from './actions/claim-dataset-revenue.ts'
export { claimNodeRevenue } from './actions/claim-node-revenue.ts'
export { claimOwnerRevenue } from './actions/claim-owner-revenue.ts'
export { type CreateModelParams, createModel } from './actions/create-model.ts'
export { type DatasetRecord, getDataset, hasDatasetLicence, listDatasets } from './actions/dataset-get.ts'
export { grantDatasetLicence } from './actions/dataset-grant-licence.ts'
export { type RegisterDatasetParams, registerDataset } from './actions/dataset-register.ts'
export { datasetRegistryAddress } from './actions/dataset-registry-address.ts'
export { withdrawDataset } from './actions/dataset-withdraw.ts'
export { depositToEscrow } from './actions/escrow-deposit.ts'
export { requestEscrowWithdrawal } from './actions/escrow-request-withdrawal.ts'
export {
  authorizeEscrowSigner,
  isEscrowSigner,
  readChannel,
  revokeEscrowSigner,
} from './actions/escrow-signers.ts'
export { withdrawFromEscrow } from './actions/escrow-withdraw.ts'
export { getChainTime } from './actions/get-chain-time.ts'
export { getModel } from './actions/get-model.ts'
export { getModelContracts, type ModelContractsRef } from './actions/get-model-contracts.ts'
export { getRevenueSplit, type RevenueSplit } from './actions/get-revenue-split.ts'
export { getUsagePolicy } from './actions/get-usage-policy.ts'
export { getPublishedVersionId } from './actions/get-version-id.ts'
export { isAllowlisted } from './actions/is-allowlisted.ts'
export { linkTrainingJob } from './actions/link-training-job.ts'
export { findModelId, listModels } from './actions/list-models.ts'
export {
  listProposals,
  type ProposalCreated,
  readProposalStatus,
  readProposalsCreated,
} from './actions/list-proposals.ts'
export { listShareHolders, type ShareHolder } from './actions/list-share-holders.ts'
export { getVersion, listVersions } from './actions/list-versions.ts'
export { listVotes, type VoteRecord } from './actions/list-votes.ts'
export {
  ADMISSION_POLICIES,
  type AdmissionPolicy,
  admitMemberCall,
  COMMONS_GOVERNANCE_ID,
  type CommonsMembershipInfo,
  getCommonsGovernance,
  getCommonsMembership,
  isCommonsAdmitted,
  revokeMemberCall,
  setAdmissionCall,
} from './actions/membership.ts'
export { isRegisteredNode, listNodes, type NodeInfo, registerNode } from './actions/nodes.ts'
export { propose } from './actions/propose.ts'
export { type ProposeVersionParams, proposeVersion } from './actions/propose-version.ts'
export { executeProposal, queueProposal } from './actions/queue-proposal.ts'
export { type Earnings, readEarnings } from './actions/read-earnings.ts'
export { readPaymentCurrency } from './actions/read-payment-currency.ts'
export {
  getAttestations,
  getReleasePolicy,
  isApprovedEvaluator,
  isReleasable,
  type ReleaseRequirement,
  type VersionAttestation,
} from './actions/read-release-gate.ts'
export { redeemVouchers } from './actions/redeem-vouchers.ts'
export { releaseGateAddress } from './actions/release-gate-address.ts'
export { delegateVotes, getShares } from './actions/shares.ts'
export { type CommitTrainingRoundParams, commitTrainingRound } from './actions/training-commit-round.ts'
export {
  type ContributionDatasets,
  contributionDatasetsHash,
  recoverTrainingContributor,
  signTrainingContribution,
  type TrainingContribution,
} from './actions/training-contribution.ts'
export {
  CONTRIBUTION_RULES,
  type ContributionRule,
  type CreateTrainingJobParams,
  createTrainingJob,
} from './actions/training-create-job.ts'
export { finishTrainingJob } from './actions/training-finish-job.ts'
export {
  getTrainingJob,
  TRAINING_JOB_STATUSES,
  type TrainingJobRecord,
  type TrainingJobStatus,
  type TrainingRoundRecord,
} from './actions/training-get-job.ts'
export { heartbeatTrainingJobIfDue } from './actions/training-heartbeat.ts'
export { joinTrainingJob } from './actions/training-join-job.ts'
export { trainingLedgerAddress } from './actions/training-ledger-address.ts'
export { listTrainingJobLinks, type TrainingJobLink } from './actions/training-list-jobs.ts'
export { recordTrainingProposal } from './actions/training-record-proposal.ts'
export { takeOverTrainingJob } from './actions/training-take-over.ts'
export { usageEscrowAddress } from './actions/usage-escrow-address.ts'
export { type CodeMismatch, verifyDeploymentCode } from './actions/verify-deployment.ts'
export { awaitLocalReceipt } from './await-receipt.ts'
export type { ChainReader, ChainWriter } from './chain-client.ts'
export { chainTransport, isLocalEndpoint } from './chain-transport.ts'
export { DEFAULT_GOVERNANCE, DEVNET_CHAIN_ID, DEVNET_FUNDING_WEI, GOVERNANCE_MINIMUMS } from './constants.ts'
export { type DeployOne, deployContracts } from './deploy-contracts.ts'
export { type Deployment, deploymentSchema, readDeployment, writeDeployment } from './deployment.ts'
export { EmbeddedChain } from './embedded-chain.ts'
export {
  ChainUnavailableError,
  ContractRevertedError,
  DeployedCodeMismatchError,
  DeploymentMissingError,
  DevnetOnlyError,
  InsufficientGasFundsError,
  PaymentCurrencyMismatchError,
  PaymentTokenInvalidError,
  ProposalNotFoundError,
  ProposalStateError,
  RpcUnreachableError,
  translateChainError,
  WrongChainIdError,
} from './errors.ts'
export { createWalletClientWithGasMargin, withMargin } from './gas-margin.ts'
// Used by other domains.
export { CommonsMembership, ModelRegistry, NodeRegistry, UsageEscrow } from './generated/artifacts.ts'
export { processIsolation } from './isolation.ts'
export {
  type DeployFees,
  deployToNetwork,
  type NetworkDeployOptions,
  type NetworkDeployResult,
} from './network-deploy.ts'
export { probeRpc } from './probe-rpc.ts'
export {
  describeCall,
  type ModelContracts,
  mintSharesCall,
  type ProposalCall,
  publishVersionCall,
  revokeVersionCall,
  setAllowedCall,
  setEvaluatorCall,
  setPolicyCall,
  setReleasePolicyCall,
  setRevenueSplitCall,
  treasuryTransferCall,
} from './proposal-calls.ts'
export { ProposalIndex } from './proposal-index.ts'
export { purposeId } from './purpose-id.ts'
export type {
  GovernanceSettings,
  ModelInfo,
  ProposalInfo,
  ProposalState,
  UsagePolicy,
  VersionInfo,
  VersionStatus,
} from './types.ts'
export {
  type HashSigner,
  receiptTypes,
  recoverVoucherSigner,
  type SignedReceipt,
  type SignedVoucher,
  signReceipt,
  signReceiptWithKey,
  signVoucher,
  signVoucherWithKey,
  type UsageReceipt,
  usageDomain,
  type Voucher,
  verifyReceipt,
  verifyVoucher,
  voucherTypes,
} from './usage-typed-data.ts'
