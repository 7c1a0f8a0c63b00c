/** Per-model governance settings (seconds; the governor uses a timestamp clock). */
export interface GovernanceSettings {
  votingDelay: number
  votingPeriod: number
  proposalThreshold: bigint
  quorumPercent: bigint
  timelockDelay: bigint
}

export const VERSION_STATUSES = ['none', 'proposed', 'published', 'revoked'] as const
export type VersionStatus = (typeof VERSION_STATUSES)[number]

/** OpenZeppelin Governor's ProposalState enum, in order. */
export const PROPOSAL_STATES = [
  'pending',
  'active',
  'canceled',
  'defeated',
  'succeeded',
  'queued',
  'expired',
  'executed',
] as const
export type ProposalState = (typeof PROPOSAL_STATES)[number]

/** A model's usage policy, as the registry keeps it (see ModelRegistry.UsagePolicy). */
export interface UsagePolicy {
  /** Anyone may use the model; otherwise only the allowlist. */
  open: boolean
  /** Wei per 1000 prompt tokens (0 and 0: free). */
  promptPricePer1k: bigint
  /** Wei per 1000 completion tokens. */
  completionPricePer1k: bigint
  /** Requests per minute per consumer on each node; 0: no limit. */
  requestsPerMinute: number
  /** Where the usage terms are published ('' when there are none). */
  termsURI: string
  /** Hash of the terms' text a consumer accepts (zero hash when there are none). */
  termsHash: `0x${string}`
}

export interface ModelInfo {
  id: bigint
  name: string
  cardURI: string
  shares: `0x${string}`
  timelock: `0x${string}`
  governor: `0x${string}`
  creator: `0x${string}`
  createdAt: bigint
  totalShares: bigint
  policy: UsagePolicy
  latestPublishedVersion: bigint
  settings: { votingDelay: bigint; votingPeriod: bigint; quorumPercent: bigint; timelockDelay: bigint }
}

export interface VersionInfo {
  modelId: bigint
  id: bigint
  contentRoot: `0x${string}`
  format: string
  size: bigint
  cardURI: string
  status: VersionStatus
  proposer: `0x${string}`
  proposedAt: bigint
  decidedAt: bigint
}

export interface ProposalInfo {
  id: bigint
  /** Short reference `<modelId>.<n>`: the n-th proposal of the model. */
  ref: string
  modelId: bigint
  governor: `0x${string}`
  proposer: `0x${string}`
  description: string
  targets: `0x${string}`[]
  values: bigint[]
  calldatas: `0x${string}`[]
  /** What the calls do, decoded for people (e.g. `publishVersion(model 1, version 2)`). */
  actions: string[]
  voteStart: bigint
  voteEnd: bigint
  state: ProposalState
  votes: { against: bigint; for: bigint; abstain: bigint }
  quorum: bigint
  /** Minting, settings, treasury or any non-routine call: For must exceed half of all shares at the snapshot. */
  constitutional: boolean
  eta: bigint
}
