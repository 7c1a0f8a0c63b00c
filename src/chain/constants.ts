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

/** Default governance settings for a new model (seconds; timestamp clock). */
export const DEFAULT_GOVERNANCE = {
  votingDelay: 60,
  votingPeriod: 3_600,
  proposalThreshold: 0n,
  quorumPercent: 40n,
  timelockDelay: 600n,
} as const

/** Extra gas for a node registration beyond 125 % of its estimate: covers a cold SSTORE of the update time. */
export const REGISTER_GAS_HEADROOM = 25_000n
