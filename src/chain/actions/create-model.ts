import { parseEventLogs } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { ModelRegistry } from '../generated/artifacts.ts'
import type { GovernanceSettings } from '../types.ts'

export interface CreateModelParams {
  name: string
  symbol: string
  cardURI: string
  owners: { address: `0x${string}`; shares: bigint }[]
  settings: GovernanceSettings
}

/** Creates a model with its shares, timelock and governor in one transaction; returns its id and addresses. */
export async function createModel(c: ChainWriter, p: CreateModelParams) {
  const receipt = await confirmTransaction(c, 'Creating the model', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: c.deployment.modelRegistry,
      abi: ModelRegistry.abi,
      functionName: 'createModel',
      args: [
        {
          name: p.name,
          symbol: p.symbol,
          cardURI: p.cardURI,
          owners: p.owners.map((o) => o.address),
          amounts: p.owners.map((o) => o.shares),
          settings: {
            votingDelay: p.settings.votingDelay,
            votingPeriod: p.settings.votingPeriod,
            proposalThreshold: p.settings.proposalThreshold,
            quorumPercent: p.settings.quorumPercent,
            timelockDelay: p.settings.timelockDelay,
          },
        },
      ],
    })
    return c.wallet.writeContract(request)
  })
  const [event] = parseEventLogs({ abi: ModelRegistry.abi, logs: receipt.logs, eventName: 'ModelCreated' })
  if (!event) throw new Error('ModelCreated event missing from the receipt')
  return {
    modelId: event.args.modelId,
    shares: event.args.shares,
    timelock: event.args.timelock,
    governor: event.args.governor,
    transactionHash: receipt.transactionHash,
    blockHash: receipt.blockHash,
  }
}
