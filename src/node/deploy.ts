import type { DeployFees, NetworkDeployResult } from '../chain/index.ts'
import { deployToNetwork, probeRpc } from '../chain/index.ts'
import { createChainAccess } from './chain-clients.ts'
import type { DataDirLayout } from './data-dir.ts'
import { Keystore } from './keystore.ts'

/**
 * `commons deploy`: deploys (or completes, after checking) the contracts on the chain behind `rpcUrl`,
 * signed by a local account of the data dir, and writes the deployment file.
 */
export async function deployToRpc(init: {
  paths: Pick<DataDirLayout, 'accounts'>
  passphrase?: string
  account: string
  rpcUrl: string
  expectedChainId?: number
  file: string
  confirmations: number
  fees: DeployFees
  paymentToken?: `0x${string}`
  onProgress?: (e: { type: string; message: string }) => void
}): Promise<NetworkDeployResult & { from: `0x${string}`; chainId: number }> {
  const chainId = await probeRpc(init.rpcUrl, { expectedChainId: init.expectedChainId })
  const keystore = new Keystore({ dir: init.paths.accounts, passphrase: init.passphrase })
  const account =
    init.account === 'node'
      ? await keystore.get('node', { create: true })
      : await keystore.resolve(init.account)
  const zero = '0x0000000000000000000000000000000000000000'
  // The clients need a deployment; none exists yet, and deploying touches none of its addresses.
  const access = createChainAccess({
    rpcUrl: init.rpcUrl,
    deployment: {
      chainId,
      modelRegistry: zero,
      nodeRegistry: zero,
      implementations: { shares: zero, timelock: zero, governor: zero },
      deployedAtBlock: '0',
    },
  })
  const result = await deployToNetwork(access.writer(account), {
    file: init.file,
    confirmations: init.confirmations,
    fees: init.fees,
    paymentToken: init.paymentToken,
    onProgress: init.onProgress,
  })
  return { ...result, from: account.address, chainId }
}
