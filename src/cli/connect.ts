import { readFile } from 'node:fs/promises'
import { DevnetOnlyError } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import { dataDirLayout, isNodeAlive, openChain, readConfig, readRuntimeInfo } from '../node/index.ts'
import type { CommonsClient } from './commons-client.ts'
import { createHttpClient } from './http-client.ts'

export interface ConnectOptions {
  dataDir: string
  passphrase?: string
  rpc?: string
  deployment?: string
  log: Logger
}

/**
 * A running node on this data dir is used through its API (it owns the embedded chain and persists
 * after each transaction); otherwise the CLI opens the chain itself for the duration of the command.
 */
export async function connect(o: ConnectOptions): Promise<CommonsClient> {
  const layout = dataDirLayout(o.dataDir)
  const running = await readRuntimeInfo(layout.runtime)
  if (o.rpc === undefined && running && (await isNodeAlive(running))) {
    const token = (await readFile(layout.apiToken, 'utf8')).trim()
    return createHttpClient(running.apiUrl, token)
  }
  // Without --rpc, the chain the data dir's node was started with (config.json), embedded by default.
  const chain = o.rpc
    ? { mode: 'rpc' as const, rpcUrl: o.rpc, deploymentFile: o.deployment }
    : (await readConfig(layout.config)).chain
  const opened = await openChain({ paths: layout, passphrase: o.passphrase, chain, log: o.log })
  const g = opened.governance
  return {
    via: chain.mode === 'rpc' ? `chain at ${chain.rpcUrl}` : 'embedded chain (no node running)',
    createModel: (p) => g.createModel(p),
    listModels: () => g.listModels(),
    showModel: (id) => g.showModel(id),
    listVersions: (id) => g.listVersions(id),
    addVersion: (p) => g.addVersion(p),
    propose: (p) => g.propose(p),
    listProposals: (m) => g.listProposals(m),
    proposal: (id) => g.proposal(id),
    vote: (p) => g.vote(p),
    votes: (id) => g.votes(id),
    queue: (p) => g.queue(p),
    execute: (p) => g.execute(p),
    shares: (p) => g.shares(p),
    delegate: (p) => g.delegate(p),
    listNodes: () => g.listNodes(),
    membership: (account) => g.membership(account),
    warp: async (seconds) => {
      if (!opened.devnet) throw new DevnetOnlyError('Time warp works only on the embedded devnet.')
      const ts = await opened.devnet.warp(seconds)
      return { timestamp: ts.toString(), iso: new Date(Number(ts) * 1000).toISOString() }
    },
    accounts: async () =>
      Promise.all(
        (await opened.keystore.names()).map(async (name) => ({
          name,
          address: (await opened.keystore.get(name)).address,
        })),
      ),
    close: () => opened.close(),
  }
}
