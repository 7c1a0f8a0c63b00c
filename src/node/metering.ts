import { bytesToHex, type Hex, type PrivateKeyAccount } from 'viem'
import type { ChainReader, ChainWriter, Deployment } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import { MeteringService } from '../metering/index.ts'
import type { UsagePolicyService } from '../policy/index.ts'
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
