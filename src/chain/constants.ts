/** Chain id of the embedded devnet (anvil's default). */
export const DEVNET_CHAIN_ID = 31337

/** Balance given to local accounts on the embedded devnet, in wei (10k ETH). */
export const DEVNET_FUNDING_WEI = 10_000n * 10n ** 18n

/** How long to wait for anvil to print its listening address. */
export const ANVIL_START_TIMEOUT_MS = 15_000

/** File names inside `<data>/chain/`. */
export const CHAIN_STATE_FILE = 'state.hex'
export const CHAIN_JOURNAL_FILE = 'journal.jsonl'
export const CHAIN_HEAD_FILE = 'state-head.json'
export const ANVIL_PID_FILE = 'anvil.pid'
export const ANVIL_IPC_FILE = 'anvil.ipc'
export const DEPLOYMENT_FILE = 'deployment.json'

/**
 * Floors of every model's governance (contracts/GovernanceRules.sol; seconds): time for every holder to see a
 * proposal before its snapshot, to vote, and to react before it runs. The contracts refuse less.
 */
export const GOVERNANCE_MINIMUMS = {
  votingDelay: 300,
  votingPeriod: 3_600,
  timelockDelay: 600,
} as const

/**
 * Default governance settings for a new model (seconds; timestamp clock). The quorum is a majority of all
 * shares, so no holder of a minority passes even a routine proposal alone while the others sleep;
 * constitutional proposals (minting, settings, treasury) need a majority of all shares voting For anyway.
 */
export const DEFAULT_GOVERNANCE = {
  votingDelay: 600,
  votingPeriod: 86_400,
  proposalThreshold: 0n,
  quorumPercent: 51n,
  timelockDelay: 3_600n,
} as const

/** Extra gas for a node registration beyond 125 % of its estimate: covers a cold SSTORE of the update time. */
export const REGISTER_GAS_HEADROOM = 25_000n
/** The longest JSON-RPC request a member may send the shared local chain (a contract deployment is ~60 KB). */
export const SHARED_CHAIN_MAX_LINE_BYTES = 1024 * 1024
/** How often the chain host journals blocks mined by other members even if nobody asked for a receipt. */
export const SHARED_CHAIN_JOURNAL_INTERVAL_MS = 1_000
