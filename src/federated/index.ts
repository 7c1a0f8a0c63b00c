/**
 * Federated rounds over the network: a job spec (job-spec.ts), the `/commons/fl/2.0.0` round protocol
 * (round-coordinator.ts, secure-sum-session.ts, round-participant.ts, messages.ts), job state persistence
 * (job-state.ts), the job driver with on-chain commits and the final proposal (job-coordinator.ts), and the
 * node-facing service (training-service.ts). Weights are `TensorMap`s from aggregation/ everywhere; the
 * wire and the saved model files encode them flat (wire-model.ts). See docs/federated-rounds.md.
 */
import type { PrivateKey, Stream } from '@libp2p/interface'
import type { ChainWriter } from '../chain/index.ts'
import type { Logger } from '../log.ts'
import type { RemotePeer } from '../net/index.ts'
import type { TokenDataset, Trainer } from '../training/index.ts'
import type { LocalTrainingLimits } from './configure-check.ts'
import type { LocalDataset } from './dataset-selection.ts'
import { DatasetUseRefusedError, TrainingJobNotFoundError } from './errors.ts'
import type { TrainingJobSpec } from './job-spec.ts'
import type { JobState } from './job-state.ts'
import type { JobAccounts } from './member-accounts.ts'
import type { RoundProgressEvent } from './progress.ts'
import type { RoundTimeouts } from './round-coordinator.ts'
import { FederatedTrainingService } from './training-service.ts'

export type { LocalTrainingLimits } from './configure-check.ts'
export type { LocalDataset } from './dataset-selection.ts'
export type { TrainingJobSpec, TrainingJobSpecInput } from './job-spec.ts'
export { jobDataSchema } from './job-spec.ts'
export type { JobState } from './job-state.ts'
export type { JobAccounts, MemberAccount } from './member-accounts.ts'
export type { OnRoundProgress, RoundProgressEvent } from './progress.ts'
export type { RoundTimeouts } from './round-coordinator.ts'
export { DatasetUseRefusedError, TrainingJobNotFoundError }

/**
 * Federated training on this node: creates and coordinates jobs, answers rounds as a participant,
 * keeps each job's state in its data dir, and takes over jobs whose coordinator died.
 */
export interface TrainingService {
  /** Answers round requests from coordinators. */
  start(): Promise<void>
  /** Stops answering rounds, aborts running jobs and disposes the trainers. */
  stop(): Promise<void>
  /**
   * Records a job on chain (this node must hold shares of the model) and keeps its state here; the base
   * model is read from a GGUF file. The job stays pending until every participant joined. Returns the job
   * id. Refuses a takeover timeout that does not exceed a round with this node's phase deadlines.
   */
  createJob(spec: unknown, options: { baseGguf: string }): Promise<bigint>
  /**
   * Registers this node's local data for a job (a text file or folder; 10% is held out for evaluation; or
   * registered datasets, each checked against the chain first: its manifest root, withdrawal, licence)
   * and, for a pending job that names this node, opts in on chain (`join`). Throws TrainingJobNotFoundError when the chain has no such job, CorpusNotFoundError or
   * CorpusTooSmallError when the corpus is unusable; nothing is registered then.
   */
  joinJob(
    jobId: bigint,
    source:
      | { corpusPath: string }
      | { datasets: { id: bigint; path: string }[] }
      | { train: TokenDataset; heldOut?: TokenDataset; datasets?: LocalDataset[] },
  ): Promise<void>
  /** Coordinates a job to the end (this node must be its coordinator on chain); resolves with the final state. */
  runJob(
    jobId: bigint,
    options?: { signal?: AbortSignal; onProgress?: (e: RoundProgressEvent) => void },
  ): Promise<JobState>
  /** Starts coordinating in the background (status shows progress and failures). */
  startJob(jobId: bigint, options?: { onProgress?: (e: RoundProgressEvent) => void }): void
  /**
   * Replaces a dead coordinator: becomes coordinator on chain (allowed to any participant once the job's
   * takeover timeout passed without a commit) and resumes from the last committed round with this node's
   * copy of the committed model.
   */
  takeOver(
    jobId: bigint,
    options?: { signal?: AbortSignal; onProgress?: (e: RoundProgressEvent) => void },
  ): Promise<JobState>
  /** Takes over (if needed) and resumes a job in the background. */
  startTakeOver(jobId: bigint): void
  /** A job's status: round i of n, members, per-round losses, result. */
  status(jobId: bigint): Promise<TrainingJobStatus>
  /** Every job this node holds state for. */
  list(): Promise<TrainingJobStatus[]>
}

/** The slice of the libp2p host the training service uses (CommonsHost satisfies it). */
export interface TrainingHost {
  readonly peerId: string
  readonly address: `0x${string}`
  readonly identity: { privateKey: PrivateKey }
  handle(
    protocol: string,
    handler: (stream: Stream, remote: RemotePeer) => void | Promise<void>,
    options?: { maxInboundStreams?: number },
  ): Promise<void>
  unhandle(protocol: string): Promise<void>
  dial(peer: string, protocol: string, options?: { signal?: AbortSignal }): Promise<Stream>
}

/** What the training service needs from the node. */
export interface TrainingServiceComponents {
  host: TrainingHost
  /** The node's chain account (its key is the host's key). */
  chain: ChainWriter
  /** A trainer for a job's model (e.g. `createTfjsTrainer({ config: spec.modelConfig })`); one per job. */
  createTrainer(spec: TrainingJobSpec): Promise<Trainer>
  /** The content store's root for a file (0x + 64 hex); sha-256 of the bytes when absent. */
  contentRoot?(path: string): Promise<`0x${string}`>
  log: Logger
}

/** Options of the training service. */
export interface TrainingServiceInit {
  /** Folder for job state and global model copies (e.g. `<data>/training`). */
  dir: string
  timeouts?: Partial<RoundTimeouts>
  /** The local training this node accepts as a participant (default DEFAULT_LOCAL_TRAINING_LIMITS). */
  localTrainingLimits?: Partial<LocalTrainingLimits>
}

/** A job as the API and CLI show it. */
export interface TrainingJobStatus {
  jobId: string
  status: JobState['status']
  role: JobState['role']
  /** Rounds committed and planned: "round i of n". */
  round: number
  rounds: number
  running: boolean
  members: { peerId: string; address: string }[]
  /** Each member's recorded contribution and spent privacy budget (epsilon). */
  accounts: JobAccounts
  coordinator?: string
  losses: {
    round: number
    meanLoss?: number
    meanHeldOutLoss?: number
    members: number
    dropped: number
    wallMs?: number
  }[]
  resultRoot?: string
  proposalId?: string
  error?: string
}

/**
 * Creates the node's training service (call start() to answer rounds).
 * @example
 * const training = createTrainingService({ dir: join(dataDir, 'training') }, { host, chain, createTrainer: (spec) => createTfjsTrainer({ config: spec.modelConfig }), log })
 * await training.start()
 * const jobId = await training.createJob(spec, { baseGguf: 'base.gguf' })
 */
export function createTrainingService(
  init: TrainingServiceInit,
  components: TrainingServiceComponents,
): TrainingService {
  return new FederatedTrainingService(init, components)
}
