import { existsSync } from 'node:fs'
import { readFile, rm } from 'node:fs/promises'
import {
  type Abi,
  type Account,
  type Address,
  bytesToHex,
  type Chain,
  encodeDeployData,
  formatEther,
  type Hex,
  hexToBytes,
  keccak256,
  type PublicClient,
  stringToHex,
  type Transport,
  type WalletClient,
} from 'viem'
import { z } from 'zod'
import { writeFileAtomic } from '../atomic-file.ts'
import { checkPaymentToken } from './actions/check-payment-token.ts'
import { type DeployOne, deployContracts } from './deploy-contracts.ts'
import { type Deployment, readDeployment, writeDeployment } from './deployment.ts'
import {
  ChainUnavailableError,
  DeployedCodeMismatchError,
  DeploymentMissingError,
  InsufficientGasFundsError,
} from './errors.ts'

/** Fee settings of a deployment: EIP-1559 (max fee, priority fee) or a legacy gas price, in wei. */
export interface DeployFees {
  maxFeePerGas?: bigint
  maxPriorityFeePerGas?: bigint
  gasPrice?: bigint
}

export interface NetworkDeployOptions {
  /** Where the deployment file is written (its progress goes to `<file>.partial` until it is whole). */
  file: string
  /** Blocks on top of each deployment's block before it counts (1 = mined). */
  confirmations: number
  fees: DeployFees
  /** The ERC20 the deployment pays in (checked: a contract answering decimals()); absent: native currency. */
  paymentToken?: Address
  onProgress?: (e: { type: string; message: string }) => void
}

export interface NetworkDeployResult {
  deployment: Deployment
  /** Contracts deployed by this run (the others were found on the chain and their code checked). */
  deployed: string[]
  reused: string[]
  /** Wei spent by this run on gas. */
  spentWei: bigint
}

type Clients = { public: PublicClient<Transport, Chain>; wallet: WalletClient<Transport, Chain, Account> }

/** Safety margin on gas estimates (and on the fee when the node suggests one): 25 %. */
const MARGIN = (x: bigint) => (x * 125n) / 100n

/**
 * Deploys the Model Commons contracts to an EVM network, resuming what an earlier run left: contracts
 * already listed in the deployment file (or in its `.partial` progress file) are reused after their
 * runtime code is checked against the artifacts (with their constructor arguments), only the missing ones
 * are deployed. Before sending anything it estimates the total cost and refuses if the account cannot pay.
 * The deployment file is written once, atomically, when every contract is there.
 */
export async function deployToNetwork(c: Clients, o: NetworkDeployOptions): Promise<NetworkDeployResult> {
  const progress = o.onProgress ?? (() => {})
  const known = await readKnown(o.file, c.public.chain.id)
  const partialFile = `${o.file}.partial`
  const from = c.wallet.account.address
  if (o.paymentToken !== undefined) await checkPaymentToken(c.public, o.paymentToken)

  // Plan: walk the deployment order without sending anything: check the code of every known contract,
  // estimate the gas of every missing one (placeholder addresses stand in for contracts not deployed yet).
  let gasNeeded = 0n
  const missing: string[] = []
  let placeholder = 0
  await deployContracts(c, {
    planOnly: true,
    paymentToken: o.paymentToken,
    deployOne: async (name, artifact, args) => {
      const have = known.addresses[name]
      if (have) {
        await checkCode(c.public, name, have, artifact, args, from)
        return have
      }
      const data = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args })
      missing.push(name)
      gasNeeded += MARGIN(await estimateDeployGas(c.public, from, data))
      placeholder += 1
      return `0x${'f'.repeat(36)}${placeholder.toString(16).padStart(4, '0')}` as Address
    },
  })
  if (missing.length > 0) {
    const price = await feePerGas(c.public, o.fees)
    const needed = gasNeeded * price
    const balance = await c.public.getBalance({ address: from })
    if (balance < needed) {
      throw new InsufficientGasFundsError(
        `Deploying ${missing.length} contracts (${missing.join(', ')}) needs about ${formatEther(needed)} ETH of gas (${gasNeeded} gas at ${formatEther(price, 'gwei')} gwei), but ${from} holds ${formatEther(balance)} ETH: send at least ${formatEther(needed - balance)} ETH to ${from} and run \`commons deploy\` again.`,
        {
          details: {
            address: from,
            neededWei: needed.toString(),
            balanceWei: balance.toString(),
            missingWei: (needed - balance).toString(),
          },
        },
      )
    }
    progress({
      type: 'chain:deploy:plan',
      message: `deploying ${missing.join(', ')} (about ${formatEther(needed)} ETH of gas at most)`,
    })
  }

  const deployed: string[] = []
  const reused: string[] = []
  let spentWei = 0n
  const startBlock = await c.public.getBlockNumber()
  const deployOne: DeployOne = async (name, artifact, args) => {
    const have = known.addresses[name]
    if (have) {
      reused.push(name)
      return have
    }
    const r = await sendDeployment(c, name, artifact, args, o)
    spentWei += r.spentWei
    await checkCode(c.public, name, r.address, artifact, args, from)
    known.addresses[name] = r.address
    await writeFileAtomic(
      partialFile,
      `${JSON.stringify({ chainId: c.public.chain.id, fromBlock: known.fromBlock ?? startBlock.toString(), addresses: known.addresses }, null, 2)}\n`,
      { mode: 0o644 },
    )
    deployed.push(name)
    progress({ type: 'chain:contract:deployed', message: `${name} at ${r.address}` })
    return r.address
  }
  const fresh = await deployContracts(c, { deployOne, paymentToken: o.paymentToken })
  const deployment: Deployment = {
    ...fresh,
    deployedAtBlock: known.fromBlock ?? startBlock.toString(),
  }
  await writeDeployment(o.file, deployment)
  await rm(partialFile, { force: true })
  return { deployment, deployed, reused, spentWei }
}

/** Sends one contract creation with the chosen fees and waits for its confirmations. */
async function sendDeployment(
  c: Clients,
  name: string,
  artifact: { abi: Abi; bytecode: Hex },
  args: unknown[],
  o: NetworkDeployOptions,
): Promise<{ address: Address; spentWei: bigint }> {
  const fees =
    o.fees.gasPrice !== undefined
      ? { gasPrice: o.fees.gasPrice }
      : {
          ...(o.fees.maxFeePerGas !== undefined ? { maxFeePerGas: o.fees.maxFeePerGas } : {}),
          ...(o.fees.maxPriorityFeePerGas !== undefined
            ? { maxPriorityFeePerGas: o.fees.maxPriorityFeePerGas }
            : {}),
        }
  const hash = await c.wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args,
    ...fees,
  } as Parameters<typeof c.wallet.deployContract>[0])
  const receipt = await c.public.waitForTransactionReceipt({
    hash,
    confirmations: o.confirmations,
    timeout: 30 * 60_000,
  })
  if (receipt.status !== 'success' || !receipt.contractAddress) {
    throw new ChainUnavailableError(
      `Deploying ${name} reverted in transaction ${hash}: check the account's balance and the fee settings, then run \`commons deploy\` again (contracts already deployed are kept).`,
    )
  }
  return { address: receipt.contractAddress, spentWei: receipt.gasUsed * receipt.effectiveGasPrice }
}

/**
 * The runtime code at `address` must be what the artifact's creation code returns with these arguments.
 * The expected code comes from simulating the creation (eth_call without `to`), so immutables are filled
 * in; an EIP-712 contract also bakes its own address into them (and the domain separator cached from it),
 * which the simulation computes for another address: those two values are put right before comparing.
 */
async function checkCode(
  pub: PublicClient<Transport, Chain>,
  name: string,
  address: Address,
  artifact: { abi: Abi; bytecode: Hex },
  args: unknown[],
  from: Address,
): Promise<void> {
  const deployData = encodeDeployData({ abi: artifact.abi, bytecode: artifact.bytecode, args })
  const [onChain, simulated] = await Promise.all([
    pub.getCode({ address }),
    pub.call({ account: from, data: deployData }).then((r) => r.data),
  ])
  if (!onChain || onChain === '0x') {
    throw new DeployedCodeMismatchError(
      `The deployment lists ${name} at ${address}, but there is no contract there on chain ${pub.chain.id} (was the chain reset?). Move the deployment file away to deploy afresh.`,
      { details: { name, address } },
    )
  }
  let expected = (simulated ?? '0x').toLowerCase()
  if (artifact.abi.some((x) => x.type === 'function' && x.name === 'eip712Domain')) {
    // Where the simulation placed the contract varies by implementation (some ignore the nonce): read it
    // from the simulated code where the deployed code holds its own address.
    const at = onChain.toLowerCase().indexOf(address.slice(2).toLowerCase())
    if (at > 0 && at % 2 === 0) {
      const simAddress = `0x${expected.slice(at, at + 40)}` as Address
      expected = relocateEip712(expected, simAddress, address, pub.chain.id)
    }
  }
  if (artifact.abi.some((x) => x.type === 'function' && x.name === 'releaseGate')) {
    // The registry creates its ReleaseGate in its constructor and keeps its address as an immutable: the
    // simulation created one elsewhere. Put the real one where the simulated one is.
    const gate = (await pub.readContract({
      address,
      abi: artifact.abi,
      functionName: 'releaseGate',
    })) as Address
    const at = onChain.toLowerCase().indexOf(gate.slice(2).toLowerCase())
    if (at > 0 && at % 2 === 0) {
      expected = expected.replaceAll(expected.slice(at, at + 40), gate.slice(2).toLowerCase())
    }
  }
  if (onChain.toLowerCase() !== expected) {
    throw new DeployedCodeMismatchError(
      `The contract at ${address} is not this version's ${name} (its runtime code differs from the artifact's). Move the deployment file away to deploy afresh, or use the release that deployed it.`,
      { details: { name, address } },
    )
  }
}

const EIP712_TYPE_HASH = keccak256(
  stringToHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
)

/**
 * Runtime code simulated at `from` as if deployed at `to`: its own address, and the EIP-712 domain separator
 * cached from it, are the only immutables that depend on where the contract lives. The separator hashes
 * the name and version hashes, which are immutables of the code too (PUSH32 operands): the pair whose
 * separator for `from` appears in the code is the contract's, and its separator for `to` replaces it.
 */
export function relocateEip712(code: string, from: Address, to: Address, chainId: number): string {
  const words: Hex[] = []
  const bytes = hexToBytes(code.startsWith('0x') ? (code as Hex) : `0x${code}`)
  for (let i = 0; i < bytes.length; i++) {
    const op = bytes[i] as number
    if (op === 0x7f && i + 33 <= bytes.length) words.push(bytesToHex(bytes.slice(i + 1, i + 33)))
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f
  }
  const chainWord = BigInt(chainId).toString(16).padStart(64, '0')
  const separator = (a: string, b: string, at: Address) =>
    keccak256(`${EIP712_TYPE_HASH}${a}${b}${chainWord}${at.slice(2).toLowerCase().padStart(64, '0')}`).slice(
      2,
    )
  const out = code.replaceAll(from.slice(2).toLowerCase(), to.slice(2).toLowerCase())
  const present = new Set(words.map((w) => w.slice(2)))
  // Name and version hashes are keccak outputs: skip small numbers and addresses (leading zero bytes).
  const hashes = [...present].filter((w) => !w.startsWith('0000'))
  for (const a of hashes) {
    for (const b of hashes) {
      const sep = separator(a, b, from)
      if (present.has(sep)) return out.replaceAll(sep, separator(a, b, to))
    }
  }
  return out
}

async function estimateDeployGas(pub: PublicClient<Transport, Chain>, from: Address, data: Hex) {
  try {
    return await pub.estimateGas({ account: from, data })
  } catch {
    // A node that cannot estimate a creation: an upper bound from the code size (creation + storage of code).
    const bytes = BigInt((data.length - 2) / 2)
    return 53_000n + bytes * 16n + bytes * 200n
  }
}

/** What one unit of gas costs at most under these fee settings. */
async function feePerGas(pub: PublicClient<Transport, Chain>, fees: DeployFees): Promise<bigint> {
  if (fees.gasPrice !== undefined) return fees.gasPrice
  if (fees.maxFeePerGas !== undefined) return fees.maxFeePerGas
  try {
    const f = await pub.estimateFeesPerGas()
    return MARGIN(f.maxFeePerGas ?? f.gasPrice ?? 0n)
  } catch {
    return MARGIN(await pub.getGasPrice())
  }
}

/** The contracts an earlier run left: the whole deployment file, else its progress file. */
async function readKnown(
  file: string,
  chainId: number,
): Promise<{ addresses: Record<string, Address>; fromBlock?: string }> {
  if (existsSync(file)) {
    const deployment = await readDeployment(file)
    if (deployment.chainId !== chainId) {
      throw new DeploymentMissingError(
        `The deployment file ${file} is for chain ${deployment.chainId}, but the RPC serves chain ${chainId}: pass another --deployment file.`,
      )
    }
    const byName: Record<string, Address | undefined> = {
      ModelShares: deployment.implementations.shares,
      ModelTimelock: deployment.implementations.timelock,
      ModelGovernor: deployment.implementations.governor,
      ModelRegistry: deployment.modelRegistry,
      NodeRegistry: deployment.nodeRegistry,
      DatasetRegistry: deployment.datasetRegistry,
      TrainingLedger: deployment.trainingLedger,
      UsageTerms: deployment.usageTerms,
      UsageEscrow: deployment.usageEscrow,
      CommonsMembership: deployment.commonsMembership,
    }
    const addresses = Object.fromEntries(
      Object.entries(byName).filter((e): e is [string, Address] => e[1] !== undefined),
    )
    return { addresses, fromBlock: deployment.deployedAtBlock }
  }
  let text: string
  try {
    text = await readFile(`${file}.partial`, 'utf8')
  } catch {
    return { addresses: {} }
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {}
  const partial = partialSchema.safeParse(json)
  if (!partial.success || partial.data.chainId !== chainId) {
    throw new DeploymentMissingError(
      `The progress file ${file}.partial is not a deployment in progress on chain ${chainId}: remove it and run \`commons deploy\` again.`,
    )
  }
  return { addresses: partial.data.addresses, fromBlock: partial.data.fromBlock }
}

const partialSchema = z.object({
  chainId: z.number().int().positive(),
  fromBlock: z.string().regex(/^\d+$/),
  addresses: z.record(z.string(), z.string().regex(/^0x[0-9a-fA-F]{40}$/) as unknown as z.ZodType<Address>),
})
