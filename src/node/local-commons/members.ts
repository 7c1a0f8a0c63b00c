import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKeyAccount } from 'viem'
import { type NodeConfig, readConfig, writeConfig } from '../config.ts'
import { type DataDirLayout, dataDirLayout } from '../data-dir.ts'
import { Keystore } from '../keystore.ts'

/** The members of the local commons, in start order: the first hosts the chain; the first two serve the demo. */
export const LOCAL_MEMBERS = ['university', 'clinic', 'ngo'] as const
export type LocalMemberName = (typeof LOCAL_MEMBERS)[number]
/** How many of the members (the first ones) serve the demo model; the others hold a replica. */
export const LOCAL_SERVERS = 2
/** libp2p ports are the API ports plus this (8480 → 8490). */
const P2P_PORT_OFFSET = 10

/** One member of the local commons: its data dir, key, ports and addresses (stable across restarts). */
export interface LocalMember {
  name: LocalMemberName
  layout: DataDirLayout
  account: PrivateKeyAccount
  apiPort: number
  apiUrl: string
  /** Its libp2p address, with its PeerId (derived from its key). */
  multiaddr: string
  hostsChain: boolean
  serves: boolean
}

/** Where the local commons keeps things under the main data dir. */
export function localCommonsPaths(root: string): { members: string; chainSocket: string } {
  // The socket sits in the main data dir, not the host's chain dir: shorter (a Unix socket path has a
  // 108-byte limit) and the same path whichever run created it.
  return { members: join(root, 'members'), chainSocket: join(root, 'chain.sock') }
}

/** Loads (creating on first run) each member's data dir and node key, and derives its addresses. */
export async function planMembers(root: string, basePort: number): Promise<LocalMember[]> {
  const { members } = localCommonsPaths(root)
  const plan: LocalMember[] = []
  for (const [i, name] of LOCAL_MEMBERS.entries()) {
    const layout = dataDirLayout(join(members, name))
    await mkdir(layout.root, { recursive: true, mode: 0o700 })
    const keystore = new Keystore({ dir: layout.accounts })
    const account = await keystore.get('node', { create: true })
    // The PeerId the member's host will have (its key is its libp2p identity), without loading libp2p.
    const peerId = peerIdFromPrivateKey(privateKeyFromRaw(await keystore.privateKeyBytes('node')))
    const apiPort = basePort + i
    plan.push({
      name,
      layout,
      account,
      apiPort,
      apiUrl: `http://127.0.0.1:${apiPort}`,
      multiaddr: `/ip4/127.0.0.1/tcp/${apiPort + P2P_PORT_OFFSET}/p2p/${peerId}`,
      hostsChain: i === 0,
      serves: i < LOCAL_SERVERS,
    })
  }
  return plan
}

/**
 * Writes each member's config.json (keeping whatever else it holds): fixed ports so addresses survive a
 * restart, every other member as a bootstrap peer (each redials the others), the shared chain, and an
 * open `/v1` (loopback only).
 */
export async function writeMemberConfigs(plan: LocalMember[], chainSocket: string): Promise<void> {
  const host = plan.find((m) => m.hostsChain)!
  for (const m of plan) {
    const config = await readConfig(m.layout.config)
    const chain: NodeConfig['chain'] = m.hostsChain
      ? { mode: 'embedded', shareSocket: chainSocket }
      : { mode: 'rpc', rpcUrl: chainSocket, deploymentFile: host.layout.deployment }
    await writeConfig(m.layout.config, {
      ...config,
      api: { ...config.api, host: '127.0.0.1', port: m.apiPort },
      chain,
      net: {
        ...config.net,
        listen: [m.multiaddr.replace(/\/p2p\/.*$/, '')],
        bootstrap: plan.filter((o) => o !== m).map((o) => o.multiaddr),
        // Members meet each other within seconds of a restart.
        announceIntervalMs: Math.min(config.net.announceIntervalMs, 5_000),
      },
      inference: { ...config.inference, open: true },
      demo: false,
    })
  }
}
