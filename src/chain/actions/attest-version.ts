import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { ReleaseGate } from '../generated/artifacts.ts'
import { releaseGateAddress } from './release-gate-address.ts'

/** An evaluation result for a version, as an approved evaluator attests it (value fixed point, 6 decimals). */
export interface AttestVersionParams {
  modelId: bigint
  versionId: bigint
  evaluation: string
  value: bigint
  reportHash: `0x${string}`
  reportURI: string
}

/** Attests an evaluation result for a version (the sender must be an approved evaluator of the model). */
export async function attestVersion(c: ChainWriter, p: AttestVersionParams): Promise<`0x${string}`> {
  const address = await releaseGateAddress(c)
  const receipt = await confirmTransaction(c, 'Attesting the evaluation', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: ReleaseGate.abi,
      functionName: 'attest',
      args: [p.modelId, p.versionId, p.evaluation, p.value, p.reportHash, p.reportURI],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
