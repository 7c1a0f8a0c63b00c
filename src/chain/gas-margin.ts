import {
  type Account,
  type Chain,
  createClient,
  type Transport,
  type WalletClient,
  type WalletClientConfig,
  walletActions,
} from 'viem'
import { prepareTransactionRequest } from 'viem/actions'

/**
 * Gas added to an estimate: a quarter more, plus two storage slots written fresh (22,100 gas each). Share
 * balances are vote checkpoints keyed by block time: a transfer estimated in the second of the sender's last
 * checkpoint updates that checkpoint in place, and mined in a later second pushes a new one (151,178 gas
 * estimated, 173,798 needed): sent with the bare estimate it ran out of gas and reverted on chain. Unused gas
 * is not paid for.
 */
export function withMargin(gas: bigint): bigint {
  return gas + gas / 4n + 44_200n
}

/**
 * viem's createWalletClient, except every transaction it prepares (and then signs) gets the gas margin above.
 * The wallet actions call the client's own prepareTransactionRequest when it has one: it is set first.
 */
export function createWalletClientWithGasMargin(
  config: WalletClientConfig<Transport, Chain, Account>,
): WalletClient<Transport, Chain, Account> {
  const base = createClient({ ...config, key: 'wallet', name: 'Wallet Client', type: 'walletClient' })
  const prepare = async (args: { gas?: bigint }) => {
    const prepared = (await prepareTransactionRequest(base, args as never)) as { gas?: bigint }
    if (args.gas === undefined && typeof prepared.gas === 'bigint') prepared.gas = withMargin(prepared.gas)
    return prepared
  }
  const withPrepare = base.extend(() => ({ prepareTransactionRequest: prepare }) as never) as typeof base
  return withPrepare.extend(walletActions) as unknown as WalletClient<Transport, Chain, Account>
}
