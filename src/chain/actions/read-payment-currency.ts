import { zeroAddress } from 'viem'
import type { ChainReader } from '../chain-client.ts'
import { PaymentCurrencyMismatchError, translateChainError } from '../errors.ts'
import { UsageEscrow } from '../generated/artifacts.ts'
import { checkPaymentToken, NATIVE_CURRENCY, type PaymentCurrencyInfo } from './check-payment-token.ts'
import { usageEscrowAddress } from './usage-escrow-address.ts'

/**
 * The currency the deployment's UsageEscrow pays in (its `currency()`: the truth on chain), with the token's
 * symbol and decimals. A deployment file naming another currency is refused.
 */
export async function readPaymentCurrency(c: ChainReader): Promise<PaymentCurrencyInfo> {
  const escrow = usageEscrowAddress(c)
  let currency: `0x${string}`
  try {
    currency = await c.public.readContract({
      address: escrow,
      abi: UsageEscrow.abi,
      functionName: 'currency',
    })
  } catch (err) {
    throw translateChainError(err, 'Reading the usage escrow currency')
  }
  const recorded = c.deployment.paymentToken ?? zeroAddress
  if (recorded.toLowerCase() !== currency.toLowerCase()) {
    throw new PaymentCurrencyMismatchError(
      `The deployment file names ${recorded === zeroAddress ? 'native currency' : recorded} as the payment currency, but the UsageEscrow at ${escrow} pays in ${currency === zeroAddress ? 'native currency' : currency}: fix \`paymentToken\` in the deployment file.`,
    )
  }
  return currency === zeroAddress ? NATIVE_CURRENCY : checkPaymentToken(c.public, currency)
}
