import {
  type Account,
  type Chain,
  createPublicClient,
  defineChain,
  keccak256,
  type TransactionReceipt,
} from 'viem'
import {
  type ChainReader,
  type ChainWriter,
  chainTransport,
  createWalletClientWithGasMargin,
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
  /** Runs once a transaction is mined, with the signed bytes when this process signed it. */
  onConfirmed?: (receipt: TransactionReceipt, signed?: `0x${string}`) => Promise<void>
}): { reader: ChainReader; writer(account: Account): ChainWriter } {
  const chain = chainFor(opts.rpcUrl, opts.deployment.chainId)
  // Local chains mine instantly: poll receipts fast so confirmations are not padded by the default 4 s.
  const localChain = isLocalEndpoint(opts.rpcUrl)
  const pollingInterval = localChain ? 50 : 1_000
  const transport = chainTransport(opts.rpcUrl)
  const reader: ChainReader = {
    public: createPublicClient({ chain, transport, pollingInterval }),
    deployment: opts.deployment,
  }
  const onConfirmed = opts.onConfirmed
  if (onConfirmed === undefined) {
    return {
      reader,
      writer: (account) => ({
        ...reader,
        wallet: createWalletClientWithGasMargin({ chain, transport, account, pollingInterval }),
        localChain,
      }),
    }
  }
  // The confirmation hook (the embedded chain's journal) needs each transaction's signed bytes: keep what a
  // local account signs, by hash, until its receipt arrives, instead of reading it back from the chain.
  const signed = new Map<string, `0x${string}`>()
  const keep = (raw: `0x${string}`): `0x${string}` => {
    signed.set(keccak256(raw), raw)
    if (signed.size > MAX_UNCONFIRMED) signed.delete(signed.keys().next().value!)
    return raw
  }
  const confirmed = (receipt: TransactionReceipt): Promise<void> => {
    const raw = signed.get(receipt.transactionHash)
    signed.delete(receipt.transactionHash)
    return onConfirmed(receipt, raw)
  }
  return {
    reader,
    writer(account) {
      let signer: Account = account
      if (account.type === 'local') {
        const sign = account.signTransaction
        signer = {
          ...account,
          signTransaction: (async (...args: Parameters<typeof sign>) =>
            keep(await sign(...args))) as typeof sign,
        }
      }
      const wallet = createWalletClientWithGasMargin({ chain, transport, account: signer, pollingInterval })
      return { ...reader, wallet, onConfirmed: confirmed, localChain }
    },
  }
}

/** Signed transactions kept for the confirmation hook at most (older ones are read back if ever needed). */
const MAX_UNCONFIRMED = 1024
