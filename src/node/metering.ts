import { bytesToHex, type Hex, type PrivateKeyAccount } from 'viem'
import type { ChainReader, ChainWriter, Deployment } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import { MeteringService } from '../metering/index.ts'
import { createUsagePolicy, type UsagePolicyService } from '../policy/index.ts'
import type { Cleanups } from './cleanups.ts'
import type { Keystore } from './keystore.ts'
import type { NodeNetwork } from './network.ts'

/**
 * The node's metering (undefined when the deployment has no UsageEscrow): its local accounts sign their own
 * vouchers, the node key signs for consumers that authorised it and signs receipts; started here, stopped
 * by the caller.
 */
export async function startMetering(c: {
  dir: string
  settleIntervalMs?: number
  claimAfterMs?: number
  deployment: Deployment
  reader: ChainReader
  writer: ChainWriter
  keystore: Keystore
  nodeAccount: PrivateKeyAccount
  policy: () => UsagePolicyService
  network: Pick<NodeNetwork, 'host'>
  log: Logger
}): Promise<MeteringService | undefined> {
  const escrow = c.deployment.usageEscrow as `0x${string}` | undefined
  if (escrow === undefined) return undefined
  const localKeys = new Map<string, Hex>()
  for (const name of await c.keystore.names()) {
    const account = await c.keystore.get(name)
    localKeys.set(account.address.toLowerCase(), bytesToHex(await c.keystore.privateKeyBytes(name)))
  }
  const metering = new MeteringService(
    { dir: c.dir, settleIntervalMs: c.settleIntervalMs, claimAfterMs: c.claimAfterMs },
    {
      reader: c.reader,
      writer: c.writer,
      nodeAddress: c.nodeAccount.address,
      nodeKey: bytesToHex(await c.keystore.privateKeyBytes('node')),
      localKeys,
      domain: { chainId: c.deployment.chainId, escrow },
      policyOf: (modelId) => c.policy().policy(modelId),
      host: c.network.host,
      log: c.log,
    },
  )
  await metering.start()
  return metering
}

/**
 * Every model's usage policy, read from chain (a passed proposal takes effect within the cache time), and
 * the metering that lets paid models be used through this node and served by it.
 */
export async function startUsage(c: {
  dir: string
  config: { settleIntervalSeconds: number; claimAfterSeconds: number }
  deployment: Deployment
  access: { reader: ChainReader; writer(account: PrivateKeyAccount): ChainWriter }
  keystore: Keystore
  nodeAccount: PrivateKeyAccount
  network: Pick<NodeNetwork, 'host'>
  log: Logger
  cleanups: Cleanups
}): Promise<{ metering: MeteringService | undefined; usagePolicy: UsagePolicyService }> {
  const metering = await startMetering({
    dir: c.dir,
    settleIntervalMs: c.config.settleIntervalSeconds * 1000,
    claimAfterMs: c.config.claimAfterSeconds * 1000,
    deployment: c.deployment,
    reader: c.access.reader,
    writer: c.access.writer(c.nodeAccount),
    keystore: c.keystore,
    nodeAccount: c.nodeAccount,
    policy: () => usagePolicy,
    network: c.network,
    log: c.log,
  })
  if (metering !== undefined) c.cleanups.push(() => metering.stop())
  const usagePolicy = createUsagePolicy(
    {},
    {
      reader: c.access.reader,
      canPay: metering && ((m, consumer, policy, bound) => metering.canPay(m, consumer, policy, bound)),
      canPayPeer:
        metering && ((m, consumer, policy, bound) => metering.canPayPeer(m, consumer, policy, bound)),
    },
  )
  return { metering, usagePolicy }
}
