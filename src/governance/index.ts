import type { ChainReader, ChainWriter } from '../chain/index.ts'
import { TtlCache } from '../ttl-cache.ts'
import { addVersion } from './add-version.ts'
import { execute, queue } from './advance-proposal.ts'
import { HOLDERS_CACHE_MS } from './constants.ts'
import type { CardStore, GovernanceContext, VersionCheck } from './context.ts'
import { createModel } from './create-model.ts'
import type { ModelDto, ProposalDto, VersionDto, VoteDto } from './dtos.ts'
import { listNodes } from './list-nodes.ts'
import { membership } from './membership.ts'
import { ModelDirectory } from './model-directory.ts'
import { propose } from './propose.ts'
import { listModels, listVersions, showModel } from './read-models.ts'
import { listProposals, listProposalVotes, showProposal } from './read-proposals.ts'
import { attest, releasePolicy } from './release.ts'
import type {
  AddVersionInput,
  AttestInput,
  CapTableInput,
  CreateModelInput,
  DelegateInput,
  ProposalStepInput,
  ProposeInput,
  SharesInput,
  VoteInput,
} from './schemas.ts'
import { SharedReads } from './shared-reads.ts'
import { capTable, delegate, shares } from './shares.ts'
import { vote } from './vote.ts'
import { type BallotInput, ballot, type SignedBallotInput, voteBySig } from './vote-by-sig.ts'

/**
 * The co-ownership use cases: create a model, record versions, propose, vote, queue, execute, delegate, and
 * read them. Inputs are JSON-safe and validated by the schemas of `schemas.ts` (shared with the HTTP API and
 * the CLI); outputs are the DTOs of `dtos.ts`. Refusals are typed errors in the domain's words.
 */
export interface Governance {
  createModel(input: CreateModelInput): ReturnType<typeof createModel>
  listModels(): Promise<ModelDto[]>
  showModel(idOrName: string): ReturnType<typeof showModel>
  listVersions(idOrName: string): Promise<VersionDto[]>
  addVersion(input: AddVersionInput): Promise<VersionDto>
  propose(input: ProposeInput): Promise<ProposalDto>
  listProposals(modelIdOrName?: string): Promise<ProposalDto[]>
  proposal(idOrRef: string): Promise<ProposalDto>
  votes(idOrRef: string): Promise<VoteDto[]>
  vote(input: VoteInput): ReturnType<typeof vote>
  queue(input: ProposalStepInput): ReturnType<typeof queue>
  execute(input: ProposalStepInput): ReturnType<typeof execute>
  shares(input: SharesInput): ReturnType<typeof shares>
  delegate(input: DelegateInput): ReturnType<typeof delegate>
  /** Every holder and delegate of a model's shares, with balances, votes and percentages. */
  capTable(input: CapTableInput): ReturnType<typeof capTable>
  listNodes(): ReturnType<typeof listNodes>
  /** The evaluations a version of the model needs before a publish proposal can execute. */
  releasePolicy(idOrName: string): ReturnType<typeof releasePolicy>
  /** Attests an evaluation result for a version (the account must be an approved evaluator). */
  attest(input: AttestInput): ReturnType<typeof attest>
  /** The commons's admission policy and members; whether `account` (default: the node) is admitted. */
  membership(account?: string): ReturnType<typeof membership>
  /** The EIP-712 ballot a wallet signs to vote without gas. */
  ballot(input: BallotInput): ReturnType<typeof ballot>
  /** Relays a wallet-signed ballot (the node pays the gas). */
  voteBySig(input: SignedBallotInput): ReturnType<typeof voteBySig>
}

/** Options of governance (none yet: settings live on chain, per model). */
export type GovernanceInit = Record<string, never>

/** What governance needs: chain access, signers for local accounts, and local account names. */
export interface GovernanceComponents {
  reader: ChainReader
  /** A writer that signs as the named local account (or address). */
  writerFor(account: string): Promise<ChainWriter>
  /** Resolves a local account name to its address, so owners can be given by name. */
  addressOf?(nameOrAddress: string): Promise<`0x${string}`>
  /** Checks a version's content before it is recorded or proposed (the node: it loads in llama.cpp). */
  versionCheck?: VersionCheck
  /** Keeps model cards (the node: its content store). */
  cards?: CardStore
  /** What made a version (the data commons' lineage), shown in its model card; absent: the card's own. */
  lineage?: (modelId: string, versionId: string) => Promise<unknown>
}

/**
 * Creates the governance use cases over the chain.
 * @example
 * const governance = createGovernance({}, { reader, writerFor: (name) => access.writer(keystore.account(name)) })
 * await governance.vote({ account: 'bob', proposal: '1.2', support: 'for', reason: 'tested it' })
 */
export function createGovernance(_init: GovernanceInit, components: GovernanceComponents): Governance {
  const c: GovernanceContext = {
    reader: components.reader,
    writerFor: components.writerFor,
    directory: new ModelDirectory({ reader: components.reader, addressOf: components.addressOf }),
    versionCheck: components.versionCheck,
    cards: components.cards,
    lineage: components.lineage,
    holders: new TtlCache(HOLDERS_CACHE_MS, 64),
    statusReads: new SharedReads(),
  }
  return {
    createModel: (input) => createModel(c, input),
    listModels: () => listModels(c),
    showModel: (idOrName) => showModel(c, idOrName),
    listVersions: (idOrName) => listVersions(c, idOrName),
    addVersion: (input) => addVersion(c, input),
    propose: (input) => propose(c, input),
    listProposals: (model) => listProposals(c, model),
    proposal: (idOrRef) => showProposal(c, idOrRef),
    votes: (idOrRef) => listProposalVotes(c, idOrRef),
    vote: (input) => vote(c, input),
    queue: (input) => queue(c, input),
    execute: (input) => execute(c, input),
    shares: (input) => shares(c, input),
    delegate: (input) => delegate(c, input),
    capTable: (input) => capTable(c, input),
    listNodes: () => listNodes(c),
    releasePolicy: (idOrName) => releasePolicy(c, idOrName),
    attest: (input) => attest(c, input),
    membership: (account) => membership(c, account),
    ballot: (input) => ballot(c, input),
    voteBySig: (input) => voteBySig(c, input),
  }
}

export type { CardStore, VersionCheck } from './context.ts'
export type { ModelDto, ProposalDto, VersionDto, VoteDto } from './dtos.ts'
export { buildModelCard, CARD_URI_PREFIX, cardRootOf, type ModelCard, modelCardSchema } from './model-card.ts'
export { formatFixedPoint, type ReleaseRequirementInput } from './release-schemas.ts'
export type {
  AddVersionInput,
  AttestInput,
  CapTableInput,
  CreateModelInput,
  DelegateInput,
  ModelCardFields,
  ProposalStepInput,
  ProposeInput,
  SharesInput,
  VoteInput,
} from './schemas.ts'
export {
  addVersionInput,
  attestInput,
  createModelInput,
  delegateInput,
  parseInput,
  proposalStepInput,
  proposeInput,
  sharesInput,
  voteInput,
} from './schemas.ts'
export type { BallotInput, SignedBallotInput } from './vote-by-sig.ts'
