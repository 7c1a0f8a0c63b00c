import { mkdir } from 'node:fs/promises'
import { multiaddr } from '@multiformats/multiaddr'
import {
  type ChainReader,
  ChainUnavailableError,
  type Deployment,
  getCommonsMembership,
  isRegisteredNode,
  readDeployment,
  translateChainError,
  verifyDeploymentCode,
  writeDeployment,
} from '../chain/index.ts'
import { parsePeerId } from '../net/index.ts'
import { createChainAccess } from './chain-clients.ts'
import { nodeConfigSchema, readConfig, writeConfig } from './config.ts'
import { dataDirLayout } from './data-dir.ts'
import {
  ChainIdMismatchError,
  ContractCodeMismatchError,
  InvalidInviteError,
  InviteSignatureError,
  NodeAlreadyRunningError,
} from './errors.ts'
import { decodeInvite, type InvitePayload } from './invite.ts'
import { Keystore } from './keystore.ts'
import { isNodeAlive, readRuntimeInfo } from './runtime-file.ts'

/** What joining found: who this node is on which chain, and whether the commons admits it yet. */
export interface JoinResult {
  address: `0x${string}`
  inviter: `0x${string}`
  chainId: number
  rpcUrl: string
  bootstrap: string[]
  policy: 'open' | 'approved'
  member: boolean
  admitted: boolean
  /** The node's balance (wei) on the commons's chain: it pays the gas of its registration. */
  balanceWei: string
}

/**
 * Joins a commons from an invite, on this machine's data dir: verifies the invite (signature, expiry), the
 * chain (its id) and the contracts (their code is Model Commons's own), checks that the inviter is a node
 * of the commons, then writes the chain, the deployment and the bootstrap peers into the data dir. Nothing
 * is written unless every check passed. The node registers itself and connects when it starts.
 */
export async function joinCommons(init: {
  dataDir: string
  invite: string
  passphrase?: string
  nowSeconds?: number
}): Promise<JoinResult> {
  const invite = await decodeInvite(init.invite, init.nowSeconds ?? Math.floor(Date.now() / 1000))
  const layout = dataDirLayout(init.dataDir)
  const running = await readRuntimeInfo(layout.runtime)
  if (running && (await isNodeAlive(running)))
    throw new NodeAlreadyRunningError(
      `A node runs on ${layout.root} (pid ${running.pid}): stop it before joining.`,
    )
  const config = await configWithInvite(layout.config, invite)
  await refuseOtherDeployment(layout.deployment, invite.deployment)

  const { reader } = createChainAccess({ rpcUrl: invite.rpcUrl, deployment: invite.deployment })
  await checkChain(reader, invite)
  const membership = await getCommonsMembership(reader)
  const inviterIsNode = await isRegisteredNode(reader, invite.inviter)
  const inviterIsMember = membership === undefined || membership.members.includes(invite.inviter)
  if (!inviterIsNode || (membership?.policy === 'approved' && !inviterIsMember))
    throw new InviteSignatureError(
      `The invite was signed by ${invite.inviter}, which is not a ${inviterIsNode ? 'member' : 'node'} of this commons: only its members invite.`,
    )

  await mkdir(layout.root, { recursive: true, mode: 0o700 })
  const account = await new Keystore({ dir: layout.accounts, passphrase: init.passphrase }).get('node', {
    create: true,
  })
  await mkdir(layout.chain, { recursive: true, mode: 0o700 })
  await writeDeployment(layout.deployment, invite.deployment)
  await writeConfig(layout.config, config)

  const member = membership?.members.some((m) => m.toLowerCase() === account.address.toLowerCase()) ?? false
  const policy = membership?.policy ?? 'open'
  return {
    address: account.address,
    inviter: invite.inviter,
    chainId: invite.chainId,
    rpcUrl: invite.rpcUrl,
    bootstrap: config.net.bootstrap,
    policy,
    member,
    admitted: policy === 'open' || member,
    balanceWei: (await reader.public.getBalance({ address: account.address })).toString(),
  }
}

/** The data dir's config with the invite's chain and bootstrap peers; every value validated. */
async function configWithInvite(path: string, invite: InvitePayload) {
  const current = await readConfig(path)
  const parsed = nodeConfigSchema.safeParse({
    ...current,
    chain: { mode: 'rpc', rpcUrl: invite.rpcUrl, deploymentFile: undefined },
    net: { ...current.net, bootstrap: [...new Set([...current.net.bootstrap, ...invite.bootstrap])] },
    demo: false,
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new InvalidInviteError(`The invite names an invalid ${issue?.path.join('.')}: ${issue?.message}.`)
  }
  for (const addr of invite.bootstrap) {
    const peer = multiaddr(addr)
      .getComponents()
      .find((c) => c.name === 'p2p')?.value
    try {
      parsePeerId(peer ?? '')
    } catch (err) {
      throw new InvalidInviteError(
        `The invite names an invalid net.bootstrap peer: ${addr} names no valid PeerId.`,
        {
          cause: err,
        },
      )
    }
  }
  return parsed.data
}

/** A data dir already bound to other contracts is not silently moved to another commons. */
async function refuseOtherDeployment(path: string, deployment: Deployment): Promise<void> {
  const existing = await readDeployment(path).catch(() => undefined)
  if (existing === undefined) return
  if (existing.chainId !== deployment.chainId || existing.nodeRegistry !== deployment.nodeRegistry)
    throw new InvalidInviteError(
      `This data dir already belongs to another commons (chain ${existing.chainId}, contracts at ${existing.nodeRegistry}). Join with a fresh --data dir.`,
    )
}

/** The RPC answers, with the chain id the invite names, and every contract has Model Commons's code. */
async function checkChain(reader: ChainReader, invite: InvitePayload): Promise<void> {
  let chainId: number
  try {
    chainId = await reader.public.getChainId()
  } catch (err) {
    const e = translateChainError(err, `Reaching the commons's chain at ${invite.rpcUrl}`)
    throw new ChainUnavailableError(
      `The commons's chain at ${invite.rpcUrl} does not answer from here (${e.message}). Check this machine can reach it, or ask the member for an invite with a reachable RPC URL.`,
      { cause: err },
    )
  }
  if (chainId !== invite.chainId)
    throw new ChainIdMismatchError(
      `The RPC at ${invite.rpcUrl} serves chain ${chainId}, but the invite is for chain ${invite.chainId}: refusing to join (a wrong or hostile endpoint). Ask the member for a corrected invite.`,
    )
  const mismatches = await verifyDeploymentCode(reader)
  if (mismatches.length > 0)
    throw new ContractCodeMismatchError(
      `The invite names contracts that are not Model Commons's own: ${mismatches.map((m) => `${m.name} at ${m.address} (${m.reason})`).join(', ')}. Refusing to join: ask the member which version of Model Commons the commons runs.`,
    )
}
