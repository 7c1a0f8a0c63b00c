/**
 * The composition root: builds and starts every part of a node from its data dir (data-dir.ts) and
 * config (config.ts), and stops them in reverse order. create-node.ts wires the domains; the build-*
 * files and network.ts build one part each.
 */
import type { ChainReader, Deployment, EmbeddedChain } from '../chain/index.ts'
import type { Governance } from '../governance/index.ts'
import { createLogger, type Logger } from '../log.ts'
import type { OnProgress } from '../progress.ts'
import type { NodeConfigOverrides } from './load-config.ts'
import type { NodeProgressEvent } from './progress.ts'

export type { DataDirLayout } from './data-dir.ts'
export type { NodeConfigOverrides } from './load-config.ts'
export type { NodeProgressEvent, NodeStartDetail, NodeStartStep } from './progress.ts'

/** A running Model Commons node. */
export interface CommonsNode {
  readonly address: `0x${string}`
  readonly apiUrl: string
  readonly rpcUrl: string
  readonly governance: Governance
  readonly chain: ChainReader
  readonly deployment: Deployment
  /** Set on the embedded devnet only. */
  readonly devnet: EmbeddedChain | undefined
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** Options of a node. */
export interface NodeInit {
  /** The data dir (see data-dir.ts for what lives in it). */
  dataDir: string
  /** Decrypts the keys in `<data>/accounts` when they are encrypted. */
  passphrase?: string
  /** Overrides on top of `<data>/config.json` (CLI flags). */
  config?: NodeConfigOverrides
  /** Each start-up step, in order. */
  onProgress?: OnProgress<NodeProgressEvent>
}

/** What a node needs from its caller. */
export interface NodeComponents {
  /** The logger every component logs to (a child per component); default: pino at COMMONS_LOG_LEVEL. */
  log?: Logger
}

/**
 * Builds and starts a node: keys, chain, libp2p host, store, inference, training, API.
 * @example
 * await using node = await createNode({ dataDir: '/tmp/commons', config: { api: { port: 0 } } }, { log })
 * console.log(node.apiUrl)
 */
export async function createNode(init: NodeInit, components: NodeComponents = {}): Promise<CommonsNode> {
  // Loaded on demand: the whole node (libp2p, llama.cpp, the API) is heavy for callers that only need
  // the data dir, the keys or the local-commons launcher.
  const { startNode } = await import('./create-node.ts')
  return startNode(init, { log: components.log ?? createLogger() })
}

// Used by other domains.
export { readConfig, writeConfig } from './config.ts'
export { createInvite } from './create-invite.ts'
export { dataDirLayout, resolveDataDir } from './data-dir.ts'
export { deployToRpc } from './deploy.ts'
export { decodeInvite, encodeInvite, type InvitePayload } from './invite.ts'
export { type JoinResult, joinCommons } from './join.ts'
export { Keystore } from './keystore.ts'
export { type LocalCommons, type LocalCommonsInit, runLocalCommons } from './local-commons/launcher.ts'
export { openChain } from './open-chain.ts'
export { VersionContentMissingError } from './release-checks.ts'
export { isNodeAlive, readRuntimeInfo } from './runtime-file.ts'
