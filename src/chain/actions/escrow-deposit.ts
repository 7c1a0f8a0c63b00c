import { erc20Abi, type Hash, zeroAddress } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { translateChainError } from '../errors.ts'
import { UsageEscrow } from '../generated/artifacts.ts'
import { writeEscrow } from './escrow-write.ts'
import { usageEscrowAddress } from './usage-escrow-address.ts'

/**
 * Deposits into the UsageEscrow for the writer's account (the consumer), `amount` in the deployment currency's
 * smallest unit: native currency as the transaction's value, or the ERC20 by approve (when the allowance is
 * short) then `depositToken`. Returns the deposit's transaction hash.
 */
export async function depositToEscrow(c: ChainWriter, amount: bigint): Promise<Hash> {
  const escrow = usageEscrowAddress(c)
  let token: `0x${string}`
  try {
    token = await c.public.readContract({ address: escrow, abi: UsageEscrow.abi, functionName: 'currency' })
  } catch (err) {
    throw translateChainError(err, 'Reading the usage escrow currency')
  }
  if (token === zeroAddress)
    return (await writeEscrow(c, 'Depositing into the usage escrow', 'deposit', [], amount)).transactionHash
  const owner = c.wallet.account.address
  const allowance = await c.public
    .readContract({ address: token, abi: erc20Abi, functionName: 'allowance', args: [owner, escrow] })
    .catch((err: unknown) => {
      throw translateChainError(err, 'Reading the payment token allowance')
    })
  if (allowance < amount) {
    await confirmTransaction(c, 'Approving the usage escrow to take the deposit', async () => {
      const { request } = await c.public.simulateContract({
        account: c.wallet.account,
        address: token,
        abi: erc20Abi,
        functionName: 'approve',
        args: [escrow, amount],
      })
      return c.wallet.writeContract(request)
    })
  }
  return (await writeEscrow(c, 'Depositing tokens into the usage escrow', 'depositToken', [amount]))
    .transactionHash
}
