import { parseEventLogs } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { ModelRegistry } from '../generated/artifacts.ts'

export interface ProposeVersionParams {
  modelId: bigint
  contentRoot: `0x${string}`
  format: string
  size: bigint
  cardURI: string
}

/** Records a candidate version of a model (the sender must hold shares); returns its version id. */
export async function proposeVersion(c: ChainWriter, p: ProposeVersionParams): Promise<bigint> {
  const receipt = await confirmTransaction(c, 'Recording the version', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'proposeVersion',
      args: [p.modelId, p.contentRoot, p.format, p.size, p.cardURI],
    })
    return c.wallet.writeContract(request)
  })
  const [event] = parseEventLogs({ abi: ModelRegistry.abi, logs: receipt.logs, eventName: 'VersionProposed' })
  if (!event) throw new Error('VersionProposed event missing from the receipt')
  return event.args.versionId
}
