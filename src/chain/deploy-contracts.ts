import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem'
import type { Deployment } from './deployment.ts'
import { ChainUnavailableError } from './errors.ts'
import {
  ModelGovernor,
  ModelRegistry,
  ModelShares,
  ModelTimelock,
  NodeRegistry,
  TrainingLedger,
  UsageEscrow,
  UsageTerms,
} from './generated/artifacts.ts'

/** Deploys one contract and returns its address (the default sends it and waits for its receipt). */
export type DeployOne = (
  name: string,
  artifact: { abi: Abi; bytecode: Hex },
  args: unknown[],
) => Promise<Address>

/**
 * Deploys the implementations, ModelRegistry, NodeRegistry, TrainingLedger, UsageTerms and UsageEscrow. Nothing keeps a role
 * afterwards: the registries and the ledger have no owner and the implementations are locked. The order and
 * the constructor arguments live here only; `deployOne` decides how each contract is had (`commons deploy`
 * plugs in fees, confirmations, code checks and resuming).
 */
export async function deployContracts(
  c: { public: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> },
  opts: {
    onProgress?: (e: { type: 'chain:contract:deployed'; name: string; address: `0x${string}` }) => void
    deployOne?: DeployOne
  } = {},
): Promise<Deployment> {
  const startBlock = await c.public.getBlockNumber()
  const deployOne: DeployOne =
    opts.deployOne ??
    (async (name, artifact, args) => {
      const hash = await c.wallet.deployContract({ abi: artifact.abi, bytecode: artifact.bytecode, args })
      const receipt = await c.public.waitForTransactionReceipt({ hash })
      if (receipt.status !== 'success' || !receipt.contractAddress) {
        throw new ChainUnavailableError(`Deploying ${name} failed in transaction ${hash}.`)
      }
      return receipt.contractAddress
    })
  const deploy = async (name: string, artifact: { abi: Abi; bytecode: Hex }, args: unknown[] = []) => {
    const address = await deployOne(name, artifact, args)
    opts.onProgress?.({ type: 'chain:contract:deployed', name, address })
    return address
  }
  const shares = await deploy('ModelShares', ModelShares)
  const timelock = await deploy('ModelTimelock', ModelTimelock)
  const governor = await deploy('ModelGovernor', ModelGovernor)
  const modelRegistry = await deploy('ModelRegistry', ModelRegistry, [shares, timelock, governor])
  const nodeRegistry = await deploy('NodeRegistry', NodeRegistry)
  const trainingLedger = await deploy('TrainingLedger', TrainingLedger, [modelRegistry])
  const usageTerms = await deploy('UsageTerms', UsageTerms, [modelRegistry])
  const usageEscrow = await deploy('UsageEscrow', UsageEscrow, [modelRegistry, trainingLedger])
  return {
    chainId: c.public.chain.id,
    modelRegistry,
    nodeRegistry,
    trainingLedger,
    usageTerms,
    usageEscrow,
    implementations: { shares, timelock, governor },
    deployedAtBlock: startBlock.toString(),
  }
}
