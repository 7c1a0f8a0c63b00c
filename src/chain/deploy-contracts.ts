import type { Abi, Account, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem'
import type { Deployment } from './deployment.ts'
import { ChainUnavailableError } from './errors.ts'
import {
  DatasetRegistry,
  ModelGovernor,
  ModelRegistry,
  ModelShares,
  ModelTimelock,
  NodeRegistry,
  TrainingLedger,
  UsageEscrow,
  UsageTerms,
} from './generated/artifacts.ts'

/**
 * Deploys the implementations, ModelRegistry, NodeRegistry, DatasetRegistry, TrainingLedger, UsageTerms and UsageEscrow. Nothing keeps a role
 * afterwards: the registries and the ledger have no owner and the implementations are locked.
 */
export async function deployContracts(
  c: { public: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> },
  opts: {
    onProgress?: (e: { type: 'chain:contract:deployed'; name: string; address: `0x${string}` }) => void
  } = {},
): Promise<Deployment> {
  const startBlock = await c.public.getBlockNumber()
  const deploy = async (name: string, artifact: { abi: Abi; bytecode: Hex }, args: unknown[] = []) => {
    const hash = await c.wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args })
    const receipt = await c.public.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new ChainUnavailableError(`Deploying ${name} failed in transaction ${hash}.`)
    }
    opts.onProgress?.({ type: 'chain:contract:deployed', name, address: receipt.contractAddress })
    return receipt.contractAddress
  }
  const shares = await deploy('ModelShares', ModelShares)
  const timelock = await deploy('ModelTimelock', ModelTimelock)
  const governor = await deploy('ModelGovernor', ModelGovernor)
  const modelRegistry = await deploy('ModelRegistry', ModelRegistry, [shares, timelock, governor])
  const nodeRegistry = await deploy('NodeRegistry', NodeRegistry)
  const datasetRegistry = await deploy('DatasetRegistry', DatasetRegistry)
  const trainingLedger = await deploy('TrainingLedger', TrainingLedger, [modelRegistry, datasetRegistry])
  const usageTerms = await deploy('UsageTerms', UsageTerms, [modelRegistry])
  const usageEscrow = await deploy('UsageEscrow', UsageEscrow, [modelRegistry, trainingLedger])
  return {
    chainId: c.public.chain.id,
    modelRegistry,
    nodeRegistry,
    trainingLedger,
    datasetRegistry,
    usageTerms,
    usageEscrow,
    implementations: { shares, timelock, governor },
    deployedAtBlock: startBlock.toString(),
  }
}
