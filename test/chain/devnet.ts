import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from 'viem/accounts'
import type { ChainReader, ChainWriter } from '../../src/chain/chain-client.ts'
import { deployContracts } from '../../src/chain/deploy-contracts.ts'
import { EmbeddedChain } from '../../src/chain/embedded-chain.ts'
import { TestStablecoin } from '../../src/chain/generated/artifacts.ts'
import { silentLogger } from '../../src/log.ts'
import { createChainAccess } from '../../src/node/chain-clients.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

/** Governance settings the tests create models with: 5 min voting delay, 1 h vote, 40 % quorum, 10 min timelock. */
export const GOVERNANCE_SETTINGS = {
  votingDelay: 300,
  votingPeriod: 3_600,
  proposalThreshold: 0n,
  quorumPercent: 40n,
  timelockDelay: 600n,
}

export interface Devnet extends AsyncDisposable {
  chain: EmbeddedChain
  reader: ChainReader
  deployer: ChainWriter
  accounts: PrivateKeyAccount[]
  as(account: PrivateKeyAccount): ChainWriter
  deployment: ChainReader['deployment']
  /** The test-only 6-decimals ERC20 the deployment pays in, when started with `{ stablecoin: true }`. */
  stablecoin?: `0x${string}`
}

/**
 * A real anvil with the real contracts deployed, plus funded accounts. `stablecoin`: deploy the test-only
 * TestStablecoin first and make it the deployment's payment token.
 */
export async function startDevnet(nAccounts = 4, opts: { stablecoin?: boolean } = {}): Promise<Devnet> {
  const dir = await tmpDir('commons-chain-')
  const chain = await EmbeddedChain.start({ dir: dir.path, log: silentLogger })
  const accounts = Array.from({ length: nAccounts + 1 }, () => privateKeyToAccount(generatePrivateKey()))
  for (const a of accounts) await chain.fund(a.address, 10n ** 22n)
  const bootstrap = createChainAccess({
    rpcUrl: chain.rpcUrl,
    deployment: {
      chainId: chain.chainId,
      modelRegistry: '0x0000000000000000000000000000000000000000',
      nodeRegistry: '0x0000000000000000000000000000000000000000',
      implementations: {
        shares: '0x0000000000000000000000000000000000000000',
        timelock: '0x0000000000000000000000000000000000000000',
        governor: '0x0000000000000000000000000000000000000000',
      },
      deployedAtBlock: '0',
    },
  })
  const stablecoin = opts.stablecoin ? await deployStablecoin(bootstrap.writer(accounts[0]!)) : undefined
  const deployment = await deployContracts(bootstrap.writer(accounts[0]!), { paymentToken: stablecoin })
  const access = createChainAccess({ rpcUrl: chain.rpcUrl, deployment })
  return {
    chain,
    reader: access.reader,
    deployer: access.writer(accounts[0]!),
    accounts: accounts.slice(1),
    as: (a) => access.writer(a),
    deployment,
    stablecoin,
    async [Symbol.asyncDispose]() {
      await chain.kill().catch(() => {})
      await dir[Symbol.asyncDispose]()
    },
  }
}

/** Deploys the test-only TestStablecoin (6 decimals, anyone may mint). */
export async function deployStablecoin(w: ChainWriter): Promise<`0x${string}`> {
  const hash = await w.wallet.deployContract({ abi: TestStablecoin.abi, bytecode: TestStablecoin.bytecode })
  const r = await w.public.waitForTransactionReceipt({ hash })
  if (!r.contractAddress) throw new Error('deploying TestStablecoin failed')
  return r.contractAddress
}

/** Mints test stablecoins to `to` (TestStablecoin lets anyone mint). */
export async function mintStablecoin(net: Devnet, to: `0x${string}`, amount: bigint): Promise<void> {
  const hash = await net.deployer.wallet.writeContract({
    address: net.stablecoin!,
    abi: TestStablecoin.abi,
    functionName: 'mint',
    args: [to, amount],
  })
  await net.reader.public.waitForTransactionReceipt({ hash })
}

/** An account's balance of the test stablecoin. */
export function stablecoinBalance(net: Devnet, of: `0x${string}`): Promise<bigint> {
  return net.reader.public.readContract({
    address: net.stablecoin!,
    abi: TestStablecoin.abi,
    functionName: 'balanceOf',
    args: [of],
  })
}
