import type { ProgressEvent } from '../progress.ts'

/** Where in a job an event happened. */
interface RoundRef {
  jobId: string
  round: number
}

/** Progress of a federated job, as the coordinator and participants see it. */
export type RoundProgressEvent =
  | ProgressEvent<'federated:round:configured', RoundRef & { members: string[]; bucketId?: string }>
  | ProgressEvent<
      'federated:member:dropped',
      /** `reason`: why, as the member said it (a refusal) or as the coordinator saw it (a timeout). */
      RoundRef & { peerId: string; phase: string; reason?: string }
    >
  | ProgressEvent<'federated:upload:received', RoundRef & { peerId: string }>
  | ProgressEvent<'federated:round:aggregated', RoundRef & { members: string[] }>
  | ProgressEvent<
      'federated:round:committed',
      RoundRef & { members: string[]; dropped: string[]; meanLoss: number; wallMs: number }
    >
  | ProgressEvent<'federated:job:finished', RoundRef & { resultRoot: `0x${string}`; proposalId?: string }>
  | ProgressEvent<'federated:update:trained', RoundRef & { loss: number }>

/** Receives the progress events of a job. */
export type OnRoundProgress = (event: RoundProgressEvent) => void
