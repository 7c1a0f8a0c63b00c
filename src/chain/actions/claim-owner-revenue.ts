import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { ModelShares } from '../generated/artifacts.ts'
import { getModelContracts } from './get-model-contracts.ts'

/** A shareholder (the writer's account) takes its owners' revenue from the model's shares contract. */
export async function claimOwnerRevenue(c: ChainWriter, modelId: bigint): Promise<Hash> {
  const { shares } = await getModelContracts(c, modelId)
  const receipt = await confirmTransaction(c, 'Claiming owner revenue', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: shares,
      abi: ModelShares.abi,
      functionName: 'claimRevenue',
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
