import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  type TransactionReceipt,
} from 'viem'
import {
  type ChainReader,
  type ChainWriter,
  chainTransport,
  type Deployment,
  isLocalEndpoint,
} from '../chain/index.ts'

/** Describes the chain behind an RPC URL for viem. */
export function chainFor(rpcUrl: string, chainId: number): Chain {
  return defineChain({
    id: chainId,
    name: chainId === 31337 ? 'Model Commons devnet' : `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
}

/** The only place viem clients are built: a reader, and writers per account sharing one transport. */
export function createChainAccess(opts: {
  rpcUrl: string
  deployment: Deployment
  onConfirmed?: (receipt: TransactionReceipt) => Promise<void>
}): { reader: ChainReader; writer(account: Account): ChainWriter } {
  const chain = chainFor(opts.rpcUrl, opts.deployment.chainId)
  // Local chains mine instantly: poll receipts fast so confirmations are not padded by the default 4 s.
  const pollingInterval = isLocalEndpoint(opts.rpcUrl) ? 50 : 1_000
  const transport = chainTransport(opts.rpcUrl)
  const reader: ChainReader = {
    public: createPublicClient({ chain, transport, pollingInterval }),
    deployment: opts.deployment,
  }
  return {
    reader,
    writer(account) {
      const wallet = createWalletClient({ chain, transport, account, pollingInterval })
      return { ...reader, wallet, onConfirmed: opts.onConfirmed }
    },
  }
}
