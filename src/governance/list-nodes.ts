import { listNodes as listNodesAction } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'

/** The nodes registered on chain: address, PeerId, addresses, capabilities. */
export async function listNodes(c: Pick<GovernanceContext, 'reader'>) {
  return (await listNodesAction(c.reader)).map((n) => ({
    address: n.address,
    peerIdBytes: n.peerIdBytes,
    multiaddrs: n.multiaddrs,
    capabilities: n.capabilities,
    registeredAt: n.registeredAt.toString(),
    updatedAt: n.updatedAt.toString(),
  }))
}
