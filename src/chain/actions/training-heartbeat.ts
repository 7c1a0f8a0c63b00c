import type { Hash } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

/**
 * The coordinator shows it is alive when the takeover window left would not cover `needSeconds` (the
 * longest round it runs): a write resets the window, so no participant can take over mid-round. Costs a
 * transaction only when due (not between back-to-back rounds). Returns the hash, or undefined when not due.
 */
export async function heartbeatTrainingJobIfDue(
  c: ChainWriter,
  p: { jobId: bigint; needSeconds: number },
): Promise<Hash | undefined> {
  const address = trainingLedgerAddress(c)
  const [job, block] = await Promise.all([
    c.public.readContract({ address, abi: TrainingLedger.abi, functionName: 'getJob', args: [p.jobId] }),
    c.public.getBlock({ blockTag: 'latest' }),
  ])
  // The next block is at least one second later than the head.
  const left = job.lastActivityAt + job.takeoverTimeout - (block.timestamp + 1n)
  if (left > BigInt(Math.ceil(p.needSeconds))) return undefined
  const receipt = await confirmTransaction(c, 'Recording the coordinator heartbeat', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: TrainingLedger.abi,
      functionName: 'heartbeat',
      args: [p.jobId],
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
