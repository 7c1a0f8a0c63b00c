import { listNodes, readDeployment } from '../chain/index.ts'
import { InvalidInputError } from '../errors.ts'
import { createChainAccess } from './chain-clients.ts'
import { readConfig } from './config.ts'
import { dataDirLayout } from './data-dir.ts'
import { encodeInvite, type InvitePayload } from './invite.ts'
import { Keystore } from './keystore.ts'
import { isLoopback } from './load-config.ts'
import { readRuntimeInfo } from './runtime-file.ts'

/**
 * Writes an invite to this node's commons, signed by the node's key: the chain (id and the RPC URL other
 * machines use), the deployment, and the node's own registered addresses as bootstrap peers.
 */
export async function createInvite(init: {
  dataDir: string
  passphrase?: string
  /** The RPC URL joining machines use (default: the node's own, when it is not a loopback one). */
  rpcUrl?: string
  /** Bootstrap multiaddrs (default: this node's addresses as registered on chain). */
  bootstrap?: string[]
  ttlSeconds: number
  nowSeconds?: number
}): Promise<{ invite: string; payload: InvitePayload }> {
  const layout = dataDirLayout(init.dataDir)
  const config = await readConfig(layout.config)
  const deployment = await readDeployment(config.chain.deploymentFile ?? layout.deployment)
  const ownRpc =
    config.chain.mode === 'rpc' ? config.chain.rpcUrl : (await readRuntimeInfo(layout.runtime))?.rpcUrl
  const rpcUrl = init.rpcUrl ?? ownRpc
  if (rpcUrl === undefined || !/^(https?|wss?):\/\//.test(rpcUrl))
    throw new InvalidInputError(
      'This node has no http(s) or ws(s) chain URL to hand out: pass --rpc-url <URL of the chain that other machines can reach>.',
    )
  if (init.rpcUrl === undefined && isLoopback(new URL(rpcUrl).hostname))
    throw new InvalidInputError(
      `This node's chain is at ${rpcUrl}, which only this machine reaches: pass --rpc-url <URL other machines can reach>.`,
    )
  const account = await new Keystore({ dir: layout.accounts, passphrase: init.passphrase }).get('node')
  const bootstrap = init.bootstrap ?? (await registeredAddrs(rpcUrl, deployment, account.address))
  if (bootstrap.length === 0)
    throw new InvalidInputError(
      'This node has registered no addresses yet: start it (`commons up`) so it records them, or pass --bootstrap <multiaddr>.',
    )
  const payload: InvitePayload = {
    v: 1,
    chainId: deployment.chainId,
    rpcUrl,
    deployment,
    bootstrap: bootstrap.slice(0, 16),
    inviter: account.address,
    expiresAt: (init.nowSeconds ?? Math.floor(Date.now() / 1000)) + init.ttlSeconds,
  }
  return { invite: await encodeInvite(payload, (message) => account.signMessage({ message })), payload }
}

async function registeredAddrs(
  rpcUrl: string,
  deployment: Parameters<typeof createChainAccess>[0]['deployment'],
  address: `0x${string}`,
): Promise<string[]> {
  const { reader } = createChainAccess({ rpcUrl, deployment })
  const self = (await listNodes(reader)).find((n) => n.address.toLowerCase() === address.toLowerCase())
  return self?.multiaddrs ?? []
}
