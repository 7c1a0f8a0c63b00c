import type { Abi, Account, Address, Chain, Hex, PublicClient, Transport, WalletClient } from 'viem'
import { ADMISSION_POLICIES, type AdmissionPolicy } from './actions/membership.ts'
import { GOVERNANCE_MINIMUMS } from './constants.ts'
import type { Deployment } from './deployment.ts'
import { ChainUnavailableError } from './errors.ts'
import {
  CommonsMembership,
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

/** Deploys one contract and returns its address (the default sends it and waits for its receipt). */
export type DeployOne = (
  name: string,
  artifact: { abi: Abi; bytecode: Hex },
  args: unknown[],
) => Promise<Address>

/**
 * Deploys the implementations, ModelRegistry (which creates the ReleaseGate), NodeRegistry, DatasetRegistry,
 * TrainingLedger, UsageTerms, UsageEscrow and CommonsMembership (with the commons's governor and timelock; the
 * deployer is a founding member). Nothing keeps a role
 * afterwards: the registries and the ledger have no owner and the implementations are locked. The order and
 * the constructor arguments live here only; `deployOne` decides how each contract is had (`commons deploy`
 * plugs in fees, confirmations, code checks and resuming).
 */
export async function deployContracts(
  c: { public: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> },
  opts: {
    onProgress?: (e: { type: 'chain:contract:deployed'; name: string; address: `0x${string}` }) => void
    /** The commons's founding members besides the deployer, and its first admission policy (default open). */
    membership?: { founders?: `0x${string}`[]; admission?: AdmissionPolicy }
    deployOne?: DeployOne
    /**
     * The ERC20 every deposit and payout is in (e.g. a stablecoin); absent: the chain's native currency. The
     * caller checks it is a token (`checkPaymentToken`); the contracts refuse an address without code.
     */
    paymentToken?: `0x${string}`
    /**
     * Only walk the deployment order (`commons deploy` plans and estimates this way, with placeholder
     * addresses): nothing is read from or sent to the deployed contracts.
     */
    planOnly?: boolean
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
  const currency = opts.paymentToken ?? ZERO_ADDRESS
  const shares = await deploy('ModelShares', ModelShares, [currency])
  const timelock = await deploy('ModelTimelock', ModelTimelock)
  const governor = await deploy('ModelGovernor', ModelGovernor)
  const modelRegistry = await deploy('ModelRegistry', ModelRegistry, [shares, timelock, governor])
  const nodeRegistry = await deploy('NodeRegistry', NodeRegistry)
  const datasetRegistry = await deploy('DatasetRegistry', DatasetRegistry)
  const trainingLedger = await deploy('TrainingLedger', TrainingLedger, [modelRegistry, datasetRegistry])
  const usageTerms = await deploy('UsageTerms', UsageTerms, [modelRegistry])
  const usageEscrow = await deploy('UsageEscrow', UsageEscrow, [modelRegistry, trainingLedger, currency])
  // The registry creates its ReleaseGate in its constructor (so the gate knows its registry without an owner).
  const releaseGate = opts.planOnly
    ? ZERO_ADDRESS
    : await c.public.readContract({
        address: modelRegistry,
        abi: ModelRegistry.abi,
        functionName: 'releaseGate',
      })
  const founders = [c.wallet.account.address, ...(opts.membership?.founders ?? [])]
  const commonsMembership = await deploy('CommonsMembership', CommonsMembership, [
    governor,
    timelock,
    founders,
    ADMISSION_POLICIES.indexOf(opts.membership?.admission ?? 'open'),
    GOVERNANCE_MINIMUMS.votingDelay,
    GOVERNANCE_MINIMUMS.votingPeriod,
    BigInt(GOVERNANCE_MINIMUMS.timelockDelay),
  ])
  if (!opts.planOnly) await createCommonsGovernance(c, commonsMembership)
  return {
    chainId: c.public.chain.id,
    modelRegistry,
    nodeRegistry,
    trainingLedger,
    datasetRegistry,
    usageTerms,
    usageEscrow,
    releaseGate,
    commonsMembership,
    implementations: { shares, timelock, governor },
    ...(opts.paymentToken === undefined ? {} : { paymentToken: opts.paymentToken }),
    deployedAtBlock: startBlock.toString(),
  }
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000'

/**
 * Creates the commons's governor and timelock (see CommonsMembership.createGovernance). Anyone may call it
 * once with the same result, so one already created (someone was first) is accepted as it is.
 */
async function createCommonsGovernance(
  c: { public: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> },
  membership: `0x${string}`,
): Promise<void> {
  const governor = () =>
    c.public.readContract({ address: membership, abi: CommonsMembership.abi, functionName: 'governor' })
  if ((await governor()) !== ZERO_ADDRESS) return
  const hash = await c.wallet.writeContract({
    address: membership,
    abi: CommonsMembership.abi,
    functionName: 'createGovernance',
  })
  const receipt = await c.public.waitForTransactionReceipt({ hash })
  if (receipt.status !== 'success' && (await governor()) === ZERO_ADDRESS)
    throw new ChainUnavailableError(`Creating the commons governance failed in transaction ${hash}.`)
}
