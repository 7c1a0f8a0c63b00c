import { multiaddr } from '@multiformats/multiaddr'
import { hexToBytes, type PrivateKeyAccount } from 'viem'
import type { ChainReader, ChainWriter } from '../chain/index.ts'
import { isCommonsAdmitted, isRegisteredNode, listNodes, registerNode } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import {
  type AnnouncementService,
  bulkHostFor,
  type CommonsHost,
  createAnnouncementService,
  createCommonsHost,
  createPeerDirectory,
  type PeerDirectory,
} from '../net/index.ts'
import {
  type ChunkReplicator,
  type ContentStore,
  createChunkReplicator,
  createContentStore,
} from '../store/index.ts'
import type { NodeConfig } from './config.ts'

/** The node's peer-to-peer side: host, content store, replication, announcements. */
export interface NodeNetwork {
  host: CommonsHost
  store: ContentStore
  replicator: ChunkReplicator
  directory: PeerDirectory
  announcer: AnnouncementService
  stop(): Promise<void>
}

/**
 * Starts the libp2p host (identity = the node key; admission = registered in NodeRegistry and admitted by
 * the commons's membership policy), the store,
 * replication and announcements, and records the node's PeerId and addresses on chain.
 */
export async function startNetwork(c: {
  privateKey: Uint8Array
  account: PrivateKeyAccount
  reader: ChainReader
  writer: ChainWriter
  config: NodeConfig
  storeDir: string
  capabilities: string[]
  serves: () => Array<{ model: string; version: string }>
  load: () => number
  log: Logger
}): Promise<NodeNetwork> {
  const stops: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const fn of stops.reverse())
      await fn().catch((err) => c.log.warn({ err }, 'network stop step failed'))
  }
  try {
    const store = createContentStore({ dir: c.storeDir }, { log: c.log })
    await store.start()
    stops.push(() => store.stop())

    // Registered before the host dials anyone, so peers admit us on the first attempt.
    if (!(await isRegisteredNode(c.reader, c.account.address))) await register(c, [])
    const host = createCommonsHost(
      {
        privateKey: c.privateKey,
        listen: c.config.net.listen,
        bootstrap: c.config.net.bootstrap,
        admission: c.config.net.admission,
        // A registered node that the commons's admission policy admits (a member, under `approved`).
        isAdmitted: async ({ address }) =>
          (await isRegisteredNode(c.reader, address)) && (await isCommonsAdmitted(c.reader, address)),
      },
      { log: c.log },
    )
    await host.start()
    stops.push(() => host.stop())

    const { bulk } = c.config.net
    const replicator = createChunkReplicator(
      {
        bulk:
          bulk === false
            ? false
            : { ...bulk, host: bulk.host ?? bulkHostFor(listenAddrs(c.config.net.listen)) },
      },
      { host, store, log: c.log },
    )
    await replicator.start()
    stops.push(() => replicator.stop())

    const directory = createPeerDirectory()
    const announcer = createAnnouncementService(
      {
        intervalMs: c.config.net.announceIntervalMs,
        offer: () => ({
          roots: store
            .ls()
            .filter((x) => x.complete !== false)
            .map((x) => x.root),
          serves: c.serves(),
          load: c.load(),
          priceWeiPer1kTokens: '0',
        }),
      },
      { host, directory, log: c.log },
    )
    await announcer.start()
    stops.push(() => announcer.stop())

    await recordOnChain(c, host)
    return { host, store, replicator, directory, announcer, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Registers (or updates) this node's PeerId and addresses in NodeRegistry when they changed. */
async function recordOnChain(
  c: { account: PrivateKeyAccount; reader: ChainReader; writer: ChainWriter; capabilities: string[] },
  host: CommonsHost,
): Promise<void> {
  const multiaddrs = host.multiaddrs().slice(0, 16)
  if (await isRegisteredNode(c.reader, c.account.address)) {
    const mine = (await listNodes(c.reader)).find((n) => n.address === c.account.address)
    const same =
      mine !== undefined &&
      mine.multiaddrs.join() === multiaddrs.join() &&
      mine.capabilities.join() === c.capabilities.join()
    if (same) return
  }
  await register(c, multiaddrs)
}

function register(
  c: { account: PrivateKeyAccount; writer: ChainWriter; capabilities: string[] },
  multiaddrs: string[],
): Promise<`0x${string}`> {
  return registerNode(c.writer, {
    publicKey: hexToBytes(c.account.publicKey).slice(1),
    multiaddrs,
    capabilities: c.capabilities,
  })
}

function listenAddrs(listen: string[]) {
  return listen.map((a) => multiaddr(a))
}
