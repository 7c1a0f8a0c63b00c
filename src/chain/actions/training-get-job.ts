import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { TrainingLedger } from '../generated/artifacts.ts'
import { CONTRIBUTION_RULES, type ContributionRule } from './training-create-job.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

export const TRAINING_JOB_STATUSES = ['none', 'pending', 'active', 'finished'] as const
export type TrainingJobStatus = (typeof TRAINING_JOB_STATUSES)[number]

/** One committed round as recorded on chain. */
export interface TrainingRoundRecord {
  round: number
  modelHash: `0x${string}`
  inputsCommitment: `0x${string}`
  /** The global model the contributors signed they trained from. */
  trainedFrom: `0x${string}`
  coordinator: `0x${string}`
  committedAt: bigint
  /** Each contributor's amount and the datasets it named (each with its part of the amount). */
  contributions: { address: `0x${string}`; amount: bigint; datasets: { id: bigint; amount: bigint }[] }[]
}

/** A training job as recorded on chain, with its committed rounds and the contribution totals. */
export interface TrainingJobRecord {
  id: bigint
  modelId: bigint
  baseVersionId: bigint
  baseContentRoot: `0x${string}`
  specHash: `0x${string}`
  creator: `0x${string}`
  coordinator: `0x${string}`
  participants: `0x${string}`[]
  /** Participants that opted in (the job is pending until all did). */
  joined: `0x${string}`[]
  rounds: number
  committedRounds: number
  contributionRule: ContributionRule
  status: TrainingJobStatus
  takeoverTimeout: bigint
  createdAt: bigint
  lastActivityAt: bigint
  finishedAt: bigint
  resultRoot: `0x${string}`
  versionId: bigint
  proposalId: bigint
  roundRecords: TrainingRoundRecord[]
  /** Sum of each participant's contributions over all committed rounds. */
  totals: { address: `0x${string}`; amount: bigint }[]
}

/** Reads a job back: its fields, participants, every committed round and the contribution totals. */
export async function getTrainingJob(c: ChainReader, jobId: bigint): Promise<TrainingJobRecord> {
  const address = trainingLedgerAddress(c)
  const ledger = { address, abi: TrainingLedger.abi } as const
  try {
    const [job, participants] = await Promise.all([
      c.public.readContract({ ...ledger, functionName: 'getJob', args: [jobId] }),
      c.public.readContract({ ...ledger, functionName: 'getParticipants', args: [jobId] }),
    ])
    const roundRecords = await Promise.all(
      Array.from({ length: job.committedRounds }, async (_, i) => {
        const r = await c.public.readContract({ ...ledger, functionName: 'getRound', args: [jobId, i + 1] })
        return {
          round: i + 1,
          modelHash: r.modelHash,
          inputsCommitment: r.inputsCommitment,
          trainedFrom: r.trainedFrom,
          coordinator: r.coordinator,
          committedAt: r.committedAt,
          contributions: await Promise.all(
            r.contributors.map(async (a, k) => {
              const [ids, amounts] = await c.public.readContract({
                ...ledger,
                functionName: 'getRoundDatasets',
                args: [jobId, i + 1, a],
              })
              return {
                address: a,
                amount: r.contributions[k]!,
                datasets: ids.map((id, n) => ({ id, amount: amounts[n]! })),
              }
            }),
          ),
        }
      }),
    )
    const joinedFlags = await Promise.all(
      participants.map((p) =>
        c.public.readContract({ ...ledger, functionName: 'hasJoined', args: [jobId, p] }),
      ),
    )
    const totals = await Promise.all(
      participants.map(async (p) => ({
        address: p,
        amount: await c.public.readContract({ ...ledger, functionName: 'contributionOf', args: [jobId, p] }),
      })),
    )
    return {
      id: jobId,
      modelId: job.modelId,
      baseVersionId: job.baseVersionId,
      baseContentRoot: job.baseContentRoot,
      specHash: job.specHash,
      creator: job.creator,
      coordinator: job.coordinator,
      participants: [...participants],
      joined: participants.filter((_, i) => joinedFlags[i]),
      rounds: job.rounds,
      committedRounds: job.committedRounds,
      contributionRule: CONTRIBUTION_RULES[job.contributionRule]!,
      status: TRAINING_JOB_STATUSES[job.status]!,
      takeoverTimeout: job.takeoverTimeout,
      createdAt: job.createdAt,
      lastActivityAt: job.lastActivityAt,
      finishedAt: job.finishedAt,
      resultRoot: job.resultRoot,
      versionId: job.versionId,
      proposalId: job.proposalId,
      roundRecords,
      totals,
    }
  } catch (err) {
    throw translateChainError(err, `Reading training job ${jobId}`)
  }
}
