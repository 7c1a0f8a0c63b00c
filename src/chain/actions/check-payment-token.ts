import { erc20Abi, type PublicClient } from 'viem'
import { PaymentTokenInvalidError } from '../errors.ts'

/** What a deployment pays in: the chain's native currency, or an ERC20 named by address. */
export interface PaymentCurrencyInfo {
  /** The ERC20's address; undefined for native currency. */
  token: `0x${string}` | undefined
  symbol: string
  /** Decimals of one unit (18 for native): every amount on chain is in the smallest unit. */
  decimals: number
}

/** Native currency as every EVM chain counts it (wei, 18 decimals). */
export const NATIVE_CURRENCY: PaymentCurrencyInfo = { token: undefined, symbol: 'ETH', decimals: 18 }

/**
 * Checks that `token` is a contract answering decimals() (and reads its symbol, when it has one): what a
 * deployment must name as its payment token.
 */
export async function checkPaymentToken(
  pub: PublicClient,
  token: `0x${string}`,
): Promise<PaymentCurrencyInfo> {
  const code = await pub.getCode({ address: token })
  if (code === undefined || code === '0x') {
    throw new PaymentTokenInvalidError(
      `The payment token ${token} is not a contract on chain ${pub.chain?.id}: give the address of an ERC20 deployed there (e.g. a stablecoin).`,
    )
  }
  let decimals: number
  try {
    decimals = await pub.readContract({ address: token, abi: erc20Abi, functionName: 'decimals' })
  } catch (err) {
    throw new PaymentTokenInvalidError(
      `The payment token ${token} does not answer decimals(), so it is not an ERC20 this commons can count in: give the address of an ERC20.`,
      { cause: err },
    )
  }
  const symbol = await pub
    .readContract({ address: token, abi: erc20Abi, functionName: 'symbol' })
    .catch(() => 'tokens')
  return { token, symbol, decimals }
}
