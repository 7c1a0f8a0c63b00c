import type { Account, Chain, PublicClient, TransactionReceipt, Transport, WalletClient } from 'viem'
import type { Deployment } from './deployment.ts'

/** What read actions need: a public client and where the contracts are. */
export interface ChainReader {
  public: PublicClient<Transport, Chain>
  deployment: Deployment
}

/** What write actions need: a reader, a wallet with an account, and a hook run after each confirmation. */
export interface ChainWriter extends ChainReader {
  wallet: WalletClient<Transport, Chain, Account>
  /** Called after a transaction is mined and before it is reported confirmed (embedded chain: persist). */
  onConfirmed?: (receipt: TransactionReceipt) => Promise<void>
  /**
   * The chain runs on this machine and mines a transaction as it arrives (the embedded devnet): receipts are
   * asked for at once and then every few ms, instead of once per polling interval.
   */
  localChain?: boolean
}
