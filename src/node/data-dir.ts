import { homedir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Every path of a node's data dir, in one place. Modules never join names onto the data dir: the
 * composition root (or the CLI) hands each one the path it needs from this layout. The names on disk
 * are fixed: existing data dirs keep working.
 */
export interface DataDirLayout {
  /** The data dir itself (`--data`, `$COMMONS_DATA` or `~/.commons`), mode 0700. */
  root: string
  /** `config.json`: the node's configuration (see config.ts); CLI flags override it per run. */
  config: string
  /** `accounts/<name>.json`: local keys, the node's (`node`) and members' (see keystore.ts). */
  accounts: string
  /** `chain/`: the embedded chain's state, journal and anvil pid (see chain/embedded-chain.ts). */
  chain: string
  /** `chain/deployment.json`: the contract addresses of the embedded chain. */
  deployment: string
  /** `chain-cursor.json`: the last block whose registry events an RPC-chain node applied (see chain-cursor.ts). */
  chainCursor: string
  /** `node.json`: written while a node runs (pid, API URL), so the CLI can find it. */
  runtime: string
  /** `api-token`: the bearer token of the node's `/api` (mode 0600). */
  apiToken: string
  /** `api-keys.json`: the hashes of the API keys issued for `/v1`. */
  apiKeys: string
  /** `serving.json`: the models this node loads and announces (`commons serve`). */
  servingList: string
  /** `store/`: the content-addressed chunk store (`chunks/`, `manifests/`, `pins/`). */
  store: string
  /** `models/`: GGUF files exported from the store for the inference engine. */
  models: string
  /** `training/<jobId>/`: federated training job state. */
  training: string
  /** `usage/`: the metering journals (vouchers signed, receipts, vouchers held, redemptions). */
  usage: string
  /** `tmp/`: scratch files of the node (e.g. the demo model before it enters the store). */
  tmp: string
}

/** The data dir: `--data`, else COMMONS_DATA, else `~/.commons`. */
export function resolveDataDir(flag?: string): string {
  return resolve(flag ?? process.env.COMMONS_DATA ?? join(homedir(), '.commons'))
}

/** The paths inside a data dir. */
export function dataDirLayout(root: string): DataDirLayout {
  return {
    root,
    config: join(root, 'config.json'),
    accounts: join(root, 'accounts'),
    chain: join(root, 'chain'),
    deployment: join(root, 'chain', 'deployment.json'),
    chainCursor: join(root, 'chain-cursor.json'),
    runtime: join(root, 'node.json'),
    apiToken: join(root, 'api-token'),
    apiKeys: join(root, 'api-keys.json'),
    servingList: join(root, 'serving.json'),
    store: join(root, 'store'),
    models: join(root, 'models'),
    training: join(root, 'training'),
    usage: join(root, 'usage'),
    tmp: join(root, 'tmp'),
  }
}
