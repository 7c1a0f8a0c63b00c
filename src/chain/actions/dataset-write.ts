import type { TransactionReceipt } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { DatasetRegistry } from '../generated/artifacts.ts'
import { datasetRegistryAddress } from './dataset-registry-address.ts'

type WriteName = 'register' | 'withdraw' | 'grantLicence' | 'revokeLicence'

/** Simulates then sends one DatasetRegistry call (a revert surfaces as ContractRevertedError by name). */
export async function writeDatasetRegistry(
  c: ChainWriter,
  what: string,
  functionName: WriteName,
  args: readonly unknown[],
): Promise<TransactionReceipt> {
  const address = datasetRegistryAddress(c)
  return confirmTransaction(c, what, async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: DatasetRegistry.abi,
      functionName,
      args,
      // biome-ignore lint/suspicious/noExplicitAny: args are typed by each action that calls this helper
    } as any)
    return c.wallet.writeContract(request)
  })
}
