/** Progress of a federated job, as the coordinator and participants see it (`domain:thing:verb`). */
export type RoundProgressEvent =
  | { type: 'fl:round:configured'; jobId: string; round: number; members: string[] }
  | { type: 'fl:member:dropped'; jobId: string; round: number; peerId: string; phase: string }
  | { type: 'fl:upload:received'; jobId: string; round: number; peerId: string }
  | { type: 'fl:round:aggregated'; jobId: string; round: number; members: string[] }
  | {
      type: 'fl:round:committed'
      jobId: string
      round: number
      members: string[]
      dropped: string[]
      meanLoss: number
      wallMs: number
    }
  | { type: 'fl:job:finished'; jobId: string; round: number; resultRoot: `0x${string}`; proposalId?: string }
  | { type: 'fl:local:trained'; jobId: string; round: number; loss: number }
