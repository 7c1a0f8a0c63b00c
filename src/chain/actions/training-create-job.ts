import { parseEventLogs } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

/** How a job's contributors are rewarded: by example counts, or equally per round they were in. */
export const CONTRIBUTION_RULES = ['examples', 'equal-per-round'] as const
export type ContributionRule = (typeof CONTRIBUTION_RULES)[number]

export interface CreateTrainingJobParams {
  modelId: bigint
  /** Registry version the job starts from (0n when the base is not a registered version). */
  baseVersionId: bigint
  baseContentRoot: `0x${string}`
  /** keccak-256 of the canonical job spec. */
  specHash: `0x${string}`
  participants: `0x${string}`[]
  rounds: number
  contributionRule: ContributionRule
  coordinator: `0x${string}`
  /** Seconds without a coordinator write after which another participant may take over. */
  takeoverTimeout: bigint
}

/** Records a federated training job (the sender must hold shares of the model); returns its job id. */
export async function createTrainingJob(c: ChainWriter, p: CreateTrainingJobParams): Promise<bigint> {
  const address = trainingLedgerAddress(c)
  const receipt = await confirmTransaction(c, 'Recording the training job', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address,
      abi: TrainingLedger.abi,
      functionName: 'createJob',
      args: [
        {
          modelId: p.modelId,
          baseVersionId: p.baseVersionId,
          baseContentRoot: p.baseContentRoot,
          specHash: p.specHash,
          participants: p.participants,
          rounds: p.rounds,
          contributionRule: CONTRIBUTION_RULES.indexOf(p.contributionRule),
          coordinator: p.coordinator,
          takeoverTimeout: p.takeoverTimeout,
        },
      ],
    })
    // Headroom over the estimate: these calls write arrays, and a tight estimate has reverted out of gas
    // on a loaded machine.
    const gas = await c.public.estimateContractGas(request)
    return c.wallet.writeContract({ ...request, gas: gas + gas / 4n })
  })
  const [event] = parseEventLogs({ abi: TrainingLedger.abi, logs: receipt.logs, eventName: 'JobCreated' })
  if (!event) throw new Error('JobCreated event missing from the receipt')
  return event.args.jobId
}
