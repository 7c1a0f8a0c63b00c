import { parseEventLogs } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { ModelGovernor } from '../generated/artifacts.ts'
import type { ProposalCall } from '../proposal-calls.ts'

/** Submits a proposal to a model's governor; returns the proposal id. */
export async function propose(
  c: ChainWriter,
  p: { governor: `0x${string}`; calls: ProposalCall[]; description: string },
): Promise<bigint> {
  const receipt = await confirmTransaction(c, 'Submitting the proposal', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: p.governor,
      abi: ModelGovernor.abi,
      functionName: 'propose',
      args: [
        p.calls.map((x) => x.target),
        p.calls.map((x) => x.value),
        p.calls.map((x) => x.data),
        p.description,
      ],
    })
    return c.wallet.writeContract(request)
  })
  const [event] = parseEventLogs({ abi: ModelGovernor.abi, logs: receipt.logs, eventName: 'ProposalCreated' })
  if (!event) throw new Error('ProposalCreated event missing from the receipt')
  return event.args.proposalId
}
