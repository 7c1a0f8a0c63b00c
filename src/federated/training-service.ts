import { randomBytes } from 'node:crypto'
import type { TensorMap } from '../aggregation/index.ts'
import {
  createTrainingJob,
  getTrainingJob,
  joinTrainingJob,
  type TrainingJobRecord,
  takeOverTrainingJob,
} from '../chain/index.ts'
import type { Logger } from '../log.ts'
import { loadCorpus, readGgufParams, splitCorpus, type Trainer, toTokenDataset } from '../training/index.ts'
import type { LocalTrainingLimits } from './configure-check.ts'
import { DEFAULT_LOCAL_TRAINING_LIMITS, DEFAULT_TIMEOUTS, FL_PROTOCOL } from './constants.ts'
import { contributionSigner } from './contribution-signature.ts'
import { datasetRefusal, readDatasetStanding, registeredLocalData } from './dataset-terms.ts'
import { InvalidTrainingJobError, JobStateCorruptError, TrainingJobNotFoundError } from './errors.ts'
import { type FrameChannel, StreamChannel } from './frame-channel.ts'
import type {
  TrainingJobStatus,
  TrainingService,
  TrainingServiceComponents,
  TrainingServiceInit,
} from './index.ts'
import { fileSha256, runJobAsCoordinator } from './job-coordinator.ts'
import { bindBaseModel, jobSpecHash, parseJobSpec, type TrainingJobSpec } from './job-spec.ts'
import { type JobState, JobStateStore } from './job-state.ts'
import { createLocalChannelPair } from './local-channel.ts'
import { memberAccounts } from './member-accounts.ts'
import type { RoundProgressEvent } from './progress.ts'
import { maxRoundSeconds } from './round-bound.ts'
import type { RoundTimeouts } from './round-coordinator.ts'
import { type LocalData, runParticipantRound } from './round-participant.ts'
import { layoutOf, modelHash } from './wire-model.ts'

/**
 * Federated training on this node: creates and coordinates jobs, answers rounds as a participant on
 * `/commons/fl/2.0.0`, keeps each job's state in its data dir, and takes over jobs whose coordinator died.
 * Built by `createTrainingService` (index.ts), which documents the methods.
 */
export class FederatedTrainingService implements TrainingService {
  private readonly states: JobStateStore
  private readonly timeouts: RoundTimeouts
  private readonly limits: LocalTrainingLimits
  private readonly data = new Map<string, LocalData>()
  private readonly trainers = new Map<string, Promise<Trainer>>()
  private readonly running = new Map<string, AbortController>()
  private readonly failures = new Map<string, string>()
  private readonly sessions = new AbortController()
  private readonly log: Logger

  constructor(
    init: TrainingServiceInit,
    private readonly c: TrainingServiceComponents,
  ) {
    this.states = new JobStateStore(init.dir)
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...init.timeouts }
    this.limits = { ...DEFAULT_LOCAL_TRAINING_LIMITS, ...init.localTrainingLimits }
    this.log = c.log.child({ component: 'training' })
  }

  async start(): Promise<void> {
    await this.c.host.handle(
      FL_PROTOCOL,
      async (stream, remote) => {
        const channel = new StreamChannel(stream, remote.peerId)
        await this.participate(channel, remote.address)
      },
      { maxInboundStreams: 8 },
    )
  }

  async stop(): Promise<void> {
    this.sessions.abort(new Error('training service stopped'))
    for (const ac of this.running.values()) ac.abort(new Error('training service stopped'))
    await this.c.host.unhandle(FL_PROTOCOL).catch(() => undefined)
    for (const t of this.trainers.values()) await (await t.catch(() => undefined))?.dispose()
    this.trainers.clear()
  }

  async createJob(specInput: unknown, options: { baseGguf: string }): Promise<bigint> {
    const parsed = parseJobSpec(
      typeof specInput === 'object' && specInput !== null && !('nonce' in specInput)
        ? { ...specInput, nonce: randomBytes(8).toString('hex') }
        : specInput,
    )
    const roundSeconds = maxRoundSeconds(this.timeouts)
    if (parsed.takeoverTimeoutSeconds <= roundSeconds) {
      throw new InvalidTrainingJobError(
        `takeoverTimeoutSeconds ${parsed.takeoverTimeoutSeconds} does not exceed the ${roundSeconds} s a round can take with this node's phase deadlines: a participant could take over from a live coordinator. Set it above ${roundSeconds}.`,
      )
    }
    const baseRoot = await (this.c.contentRoot ?? fileSha256)(options.baseGguf)
    if (baseRoot.toLowerCase() !== parsed.baseContentRoot.toLowerCase()) {
      throw new InvalidTrainingJobError(
        `The base model ${options.baseGguf} has content root ${baseRoot}, not the spec's baseContentRoot ${parsed.baseContentRoot}.`,
      )
    }
    const { params } = await readGgufParams(options.baseGguf)
    // The spec hash on chain then binds round 1 to these parameters: participants check it.
    const spec = bindBaseModel(parsed, modelHash(params))
    const jobId = await createTrainingJob(this.c.chain, {
      modelId: BigInt(spec.modelId),
      baseVersionId: BigInt(spec.baseVersionId),
      baseContentRoot: spec.baseContentRoot,
      specHash: jobSpecHash(spec),
      participants: spec.participants.map((p) => p.address),
      rounds: spec.rounds,
      contributionRule: spec.contribution.rule,
      coordinator: spec.participants.find((p) => p.peerId === spec.coordinator)!.address,
      takeoverTimeout: BigInt(spec.takeoverTimeoutSeconds),
    })
    await this.states.save(
      {
        jobId: jobId.toString(),
        spec,
        role: spec.coordinator === this.c.host.peerId ? 'coordinator' : 'participant',
        status: 'waiting',
        committedRounds: 0,
        global: { round: 0, hash: modelHash(params), layout: layoutOf(params) },
        history: [],
      },
      params,
    )
    return jobId
  }

  async joinJob(
    jobId: bigint,
    source: { corpusPath: string } | { datasets: { id: bigint; path: string }[] } | LocalData,
  ): Promise<void> {
    // Both checks run before anything is kept: a corpus that is missing, holds no text files or is too
    // small (CorpusNotFoundError, CorpusTooSmallError), and a job the chain does not know.
    const data =
      'corpusPath' in source
        ? await corpusData(source.corpusPath)
        : 'path' in (source.datasets?.[0] ?? {})
          ? await registeredLocalData(
              this.c.chain,
              source.datasets as { id: bigint; path: string }[],
              corpusData,
            )
          : (source as LocalData)
    const job = await this.requireJobOnChain(jobId)
    // Opt in on chain: a job is pending until every named participant joined it.
    const me = this.c.chain.wallet.account.address.toLowerCase()
    if (job.status === 'pending' && job.participants.some((p) => p.toLowerCase() === me)) {
      await joinTrainingJob(this.c.chain, { jobId })
    }
    this.data.set(jobId.toString(), data)
  }

  async runJob(
    jobId: bigint,
    options: { signal?: AbortSignal; onProgress?: (e: RoundProgressEvent) => void } = {},
  ): Promise<JobState> {
    const key = jobId.toString()
    const ac = new AbortController()
    const signal = options.signal ? AbortSignal.any([options.signal, ac.signal]) : ac.signal
    this.running.set(key, ac)
    this.failures.delete(key)
    try {
      return await runJobAsCoordinator(
        {
          chain: this.c.chain,
          openChannel: (peerId, s) => this.openChannel(peerId, s),
          states: this.states,
          exportGguf: (spec, global, path) => this.exportGguf(key, spec, global, path),
          contentRoot: this.c.contentRoot,
          log: this.log,
        },
        { jobId, timeouts: this.timeouts, signal, onProgress: options.onProgress },
      )
    } catch (err) {
      this.failures.set(key, (err as Error).message)
      throw err
    } finally {
      this.running.delete(key)
    }
  }

  startJob(jobId: bigint, options: { onProgress?: (e: RoundProgressEvent) => void } = {}): void {
    void this.runJob(jobId, options).catch((err) =>
      this.log.error({ err, jobId: jobId.toString() }, 'training job failed'),
    )
  }

  async takeOver(
    jobId: bigint,
    options: { signal?: AbortSignal; onProgress?: (e: RoundProgressEvent) => void } = {},
  ): Promise<JobState> {
    const state = await this.states.load(jobId)
    if (state === undefined) {
      throw new JobStateCorruptError(
        `This node holds no copy of job ${jobId}'s model; only a member that took part can take over.`,
      )
    }
    const onChain = await getTrainingJob(this.c.chain, jobId)
    if (onChain.coordinator.toLowerCase() !== this.c.host.address.toLowerCase()) {
      await takeOverTrainingJob(this.c.chain, { jobId })
    }
    return this.runJob(jobId, options)
  }

  startTakeOver(jobId: bigint): void {
    void this.takeOver(jobId).catch((err) => {
      this.failures.set(jobId.toString(), (err as Error).message)
      this.log.error({ err, jobId: jobId.toString() }, 'taking over the training job failed')
    })
  }

  async status(jobId: bigint): Promise<TrainingJobStatus> {
    const state = await this.states.load(jobId)
    if (state === undefined) throw new TrainingJobNotFoundError(`This node knows no training job ${jobId}.`)
    let onChain: TrainingJobRecord | undefined
    try {
      onChain = await getTrainingJob(this.c.chain, jobId)
    } catch {}
    return this.view(state, onChain)
  }

  async list(): Promise<TrainingJobStatus[]> {
    return (await this.states.list()).map((s) => this.view(s, undefined))
  }

  private view(state: JobState, onChain: TrainingJobRecord | undefined): TrainingJobStatus {
    const running = this.running.has(state.jobId)
    return {
      jobId: state.jobId,
      status: running ? 'running' : state.status,
      role: state.role,
      round: onChain?.committedRounds ?? state.committedRounds,
      rounds: state.spec.rounds,
      running,
      members: state.spec.participants,
      accounts: memberAccounts(state),
      coordinator: onChain?.coordinator,
      losses: state.history.map((h) => ({
        round: h.round,
        meanLoss: h.meanLoss,
        meanHeldOutLoss: h.meanHeldOutLoss,
        members: h.members.length,
        dropped: h.dropped.length,
        wallMs: h.wallMs,
      })),
      resultRoot: state.resultRoot,
      proposalId: state.proposalId,
      error: this.failures.get(state.jobId) ?? state.error,
    }
  }

  /** The job as the chain records it; throws TrainingJobNotFoundError unless the chain records it. */
  private async requireJobOnChain(jobId: bigint): Promise<TrainingJobRecord> {
    try {
      return await getTrainingJob(this.c.chain, jobId)
    } catch (err) {
      if ((err as { details?: { errorName?: string } }).details?.errorName === 'TrainingUnknownJob') {
        throw new TrainingJobNotFoundError(
          `No training job ${jobId} is recorded on chain; check the job id with the job's coordinator.`,
          { cause: err },
        )
      }
      throw err
    }
  }

  /** Why this node may not train on each dataset for the job now (read from the chain before each round). */
  private async datasetRefusals(spec: TrainingJobSpec, ids: bigint[]): Promise<(string | undefined)[]> {
    const data = spec.data
    if (data === undefined) return ids.map(() => 'the job names no datasets')
    const me = this.c.chain.wallet.account.address
    return Promise.all(
      ids.map(async (id) => datasetRefusal(data, await readDatasetStanding(this.c.chain, id, me), me)),
    )
  }

  private trainerFor(jobId: string, spec: TrainingJobSpec): Promise<Trainer> {
    let t = this.trainers.get(jobId)
    if (t === undefined) {
      t = this.c.createTrainer(spec)
      this.trainers.set(jobId, t)
    }
    return t
  }

  private async exportGguf(jobId: string, spec: TrainingJobSpec, global: TensorMap, path: string) {
    const trainer = await this.trainerFor(jobId, spec)
    await trainer.loadParams(global)
    await trainer.exportGguf(path)
  }

  private async openChannel(peerId: string, signal: AbortSignal): Promise<FrameChannel> {
    if (peerId === this.c.host.peerId) {
      // A node cannot dial itself: its own participant runs over an in-process channel pair.
      const [mine, theirs] = createLocalChannelPair(peerId)
      void this.participate(theirs, this.c.host.address).catch(() => undefined)
      return mine
    }
    // The phase signal bounds the dial only: handed to libp2p as is, its timeout (keysMs after the round
    // opened) later aborted the live stream of a round that ran longer (seen as masked-phase TimeoutErrors).
    const dial = new AbortController()
    const onAbort = (): void => dial.abort(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      const stream = await this.c.host.dial(peerId, FL_PROTOCOL, { signal: dial.signal })
      return new StreamChannel(stream, peerId)
    } finally {
      signal.removeEventListener('abort', onAbort)
    }
  }

  private async participate(channel: FrameChannel, coordinator: `0x${string}`): Promise<void> {
    try {
      await runParticipantRound(
        {
          peerId: this.c.host.peerId,
          privateKey: this.c.host.identity.privateKey,
          resolveJob: async (jobId) => {
            const job = await getTrainingJob(this.c.chain, jobId)
            const { coordinator, specHash, status, committedRounds } = job
            return {
              coordinator,
              specHash,
              status,
              committedRounds,
              lastModelHash: job.roundRecords.at(-1)?.modelHash,
            }
          },
          limits: this.limits,
          localData: (jobId) => this.data.get(jobId.toString()),
          trainer: (jobId, spec) => this.trainerFor(jobId.toString(), spec),
          saveGlobal: (jobId, spec, round, global) => this.saveGlobal(jobId, spec, round, global),
          signContribution: contributionSigner(this.c.chain),
          datasetRefusals: (spec, ids) => this.datasetRefusals(spec, ids),
          log: this.log,
        },
        channel,
        coordinator,
        { timeouts: this.timeouts, signal: this.sessions.signal },
      )
    } catch (err) {
      this.log.warn({ err, coordinator }, 'round as participant failed')
      await channel.reject(err).catch(() => undefined)
    }
  }

  private async saveGlobal(
    jobId: bigint,
    spec: TrainingJobSpec,
    round: number,
    global: TensorMap,
  ): Promise<void> {
    const previous = await this.states.load(jobId)
    if (previous !== undefined && previous.global.round >= round) return
    const base: JobState = previous ?? {
      jobId: jobId.toString(),
      spec,
      role: 'participant',
      status: 'running',
      committedRounds: 0,
      global: { round: 0, hash: modelHash(global), layout: layoutOf(global) },
      history: [],
    }
    await this.states.save(
      {
        ...base,
        committedRounds: round,
        global: { round, hash: modelHash(global), layout: layoutOf(global) },
      },
      global,
    )
  }
}

/** A corpus on disk as training data, 10% held out for evaluation. */
async function corpusData(path: string): Promise<LocalData> {
  const { train, heldOut } = splitCorpus(await loadCorpus(path))
  return { train: toTokenDataset(train), heldOut: toTokenDataset(heldOut) }
}
