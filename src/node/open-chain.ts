import { type PrivateKeyAccount, parseEther } from 'viem'
import type { ChainReader, ChainWriter } from '../chain/index.ts'
import {
  DEVNET_FUNDING_WEI,
  type Deployment,
  deployContracts,
  EmbeddedChain,
  readDeployment,
  writeDeployment,
} from '../chain/index.ts'
import { InvalidInputError } from '../errors.ts'
import { createGovernance, type Governance, type GovernanceComponents } from '../governance/index.ts'
import type { Logger } from '../log.ts'
import { createChainAccess } from './chain-clients.ts'
import type { NodeConfig } from './config.ts'
import type { DataDirLayout } from './data-dir.ts'
import { Keystore } from './keystore.ts'

/** The chain side of a node: keys, the chain (embedded or RPC), the deployment and governance use cases. */
export interface OpenedChain {
  devnet: EmbeddedChain | undefined
  rpcUrl: string
  deployment: Deployment
  access: { reader: ChainReader; writer(account: PrivateKeyAccount): ChainWriter }
  governance: Governance
  keystore: Keystore
  nodeAccount: PrivateKeyAccount
  close(): Promise<void>
}

/**
 * Opens the data dir's keys and chain: starts the embedded devnet (deploying the contracts on first
 * start) or connects to `--rpc`. Used by the node, and by the CLI when no node is running.
 */
export async function openChain(init: {
  /** Where the keys, the embedded chain and its deployment file live. */
  paths: Pick<DataDirLayout, 'accounts' | 'chain' | 'deployment'>
  passphrase?: string
  chain: NodeConfig['chain']
  log: Logger
  progress?: (type: string, message: string) => void
  /** Checks versions before they are proposed and keeps model cards (the node's content store). */
  release?: Pick<GovernanceComponents, 'versionCheck' | 'cards' | 'lineage'>
}): Promise<OpenedChain> {
  const progress = init.progress ?? (() => {})
  const layout = init.paths
  const keystore = new Keystore({ dir: layout.accounts, passphrase: init.passphrase })
  const nodeAccount = await keystore.get('node', { create: true })
  progress('node:identity:loaded', `node address ${nodeAccount.address}`)

  let devnet: EmbeddedChain | undefined
  let rpcUrl: string
  let deployment: Deployment
  if (init.chain.mode === 'embedded') {
    progress('chain:devnet:starting', 'starting the embedded chain (anvil)')
    devnet = await EmbeddedChain.start({ dir: layout.chain, log: init.log.child({ component: 'chain' }) })
    try {
      rpcUrl = devnet.rpcUrl
      for (const name of await keystore.names()) await fundIfEmpty(devnet, (await keystore.get(name)).address)
      deployment = await loadOrDeploy(devnet, layout.deployment, nodeAccount, progress)
      if (init.chain.shareSocket) {
        await devnet.share(init.chain.shareSocket)
        progress('chain:devnet:shared', `the chain is shared with other members on ${init.chain.shareSocket}`)
      }
    } catch (err) {
      await devnet.stop()
      throw err
    }
  } else {
    if (!init.chain.rpcUrl)
      throw new InvalidInputError('chain.mode is "rpc" but no RPC URL is set: pass --rpc <url>.')
    rpcUrl = init.chain.rpcUrl
    deployment = await readDeployment(init.chain.deploymentFile ?? layout.deployment)
  }

  const chain = devnet
  const funded = new Set<string>()
  const access = createChainAccess({
    rpcUrl,
    deployment,
    onConfirmed: chain ? (receipt, signed) => chain.recordTransaction(receipt, signed) : undefined,
  })
  const governance = createGovernance(
    {},
    {
      reader: access.reader,
      writerFor: async (name) => {
        const account = await keystore.resolve(name)
        // Devnet convenience: a local account gets gas the first time it signs in this process.
        if (chain && !funded.has(account.address)) {
          await fundIfEmpty(chain, account.address)
          funded.add(account.address)
        }
        return access.writer(account)
      },
      addressOf: async (name) => (await keystore.resolve(name)).address,
      ...init.release,
    },
  )
  return {
    devnet,
    rpcUrl,
    deployment,
    access,
    governance,
    keystore,
    nodeAccount,
    close: async () => {
      await chain?.stop()
    },
  }
}

async function fundIfEmpty(devnet: EmbeddedChain, address: `0x${string}`): Promise<void> {
  if ((await devnet.balance(address)) < parseEther('1')) await devnet.fund(address, DEVNET_FUNDING_WEI)
}

async function loadOrDeploy(
  devnet: EmbeddedChain,
  path: string,
  deployer: PrivateKeyAccount,
  progress: (type: string, message: string) => void,
): Promise<Deployment> {
  try {
    const existing = await readDeployment(path)
    if (await devnet.hasCode(existing.modelRegistry)) return existing
    progress(
      'chain:deployment:stale',
      'the deployment file points at no contract (chain state was reset): deploying again',
    )
  } catch {}
  progress('chain:contracts:deploying', 'deploying the Model Commons contracts')
  const placeholder = deployer.address
  const bootstrap = createChainAccess({
    rpcUrl: devnet.rpcUrl,
    deployment: {
      chainId: devnet.chainId,
      modelRegistry: placeholder,
      nodeRegistry: placeholder,
      implementations: { shares: placeholder, timelock: placeholder, governor: placeholder },
      deployedAtBlock: '0',
    },
  })
  const deployment = await deployContracts(bootstrap.writer(deployer))
  await devnet.snapshot()
  await writeDeployment(path, deployment)
  return deployment
}
