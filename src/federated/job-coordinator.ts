import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { StrategyState, TensorMap } from '../aggregation/index.ts'
import type { ChainWriter } from '../chain/index.ts'
import {
  commitTrainingRound,
  finishTrainingJob,
  getModel,
  getTrainingJob,
  heartbeatTrainingJobIfDue,
  mintSharesCall,
  propose,
  proposeVersion,
  publishVersionCall,
  recordTrainingProposal,
} from '../chain/index.ts'
import { throwIfAborted } from '../errors.ts'
import type { Logger } from '../log.ts'
import { addressFromPeerId } from '../net/index.ts'
import { contributionVerifier, uploadDatasets } from './contribution-signature.ts'
import { contributionAmount, sharesForContributors } from './contribution-split.ts'
import {
  InvalidTrainingJobError,
  JobStateCorruptError,
  NotJobCoordinatorError,
  RoundProtocolError,
} from './errors.ts'
import type { FrameChannel } from './frame-channel.ts'
import type { TrainingJobSpec } from './job-spec.ts'
import type { JobState, JobStateStore } from './job-state.ts'
import { storedMessage } from './messages.ts'
import type { RoundProgressEvent } from './progress.ts'
import { maxRoundSeconds } from './round-bound.ts'
import { type CoordinatorRoundResult, type RoundTimeouts, runCoordinatorRound } from './round-coordinator.ts'
import { encodeWireModel, layoutOf, modelHash } from './wire-model.ts'

/** What the coordinator of a job needs. */
export interface JobCoordinatorComponents {
  /** The node's chain account (must be the job's coordinator on chain, and a shareholder to propose). */
  chain: ChainWriter
  /** Opens a round channel to a participant (dials it; an in-process channel for this node itself). */
  openChannel(peerId: string, signal: AbortSignal): Promise<FrameChannel>
  states: JobStateStore
  /** Writes a model as a GGUF file llama.cpp can serve (through the trainer's export). */
  exportGguf(spec: TrainingJobSpec, global: TensorMap, path: string): Promise<void>
  /** Content root of a file as the registry records it (the store's manifest root, or sha-256 of the bytes). */
  contentRoot?(path: string): Promise<`0x${string}`>
  log: Logger
}

/** sha-256 of a file's bytes, 0x-prefixed: the content root when no content store is wired. */
export async function fileSha256(path: string): Promise<`0x${string}`> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer)
  return `0x${h.digest('hex')}`
}

/** Options of runJobAsCoordinator. */
export interface RunJobOptions {
  jobId: bigint
  timeouts: RoundTimeouts
  signal?: AbortSignal
  onProgress?: (e: RoundProgressEvent) => void
}

/**
 * Runs a job from its last committed round to the end as coordinator: each round is aggregated over the
 * network, committed on chain, persisted atomically, then the new global model is sent to the
 * contributors. At the end: GGUF export, result on chain, and a governance proposal that publishes the
 * version and mints shares to contributors by the job's rule. Resumable at any point.
 */
export async function runJobAsCoordinator(c: JobCoordinatorComponents, p: RunJobOptions): Promise<JobState> {
  const log = c.log.child({ jobId: p.jobId.toString() })
  const committed = await resumableState(c, p.jobId)
  let state = committed.state
  let global = await c.states.loadGlobal(state)
  const spec = state.spec
  // No participant may take over while this coordinator is alive: its longest round must fit the window.
  const roundSeconds = maxRoundSeconds(p.timeouts)
  if (roundSeconds >= spec.takeoverTimeoutSeconds) {
    throw new InvalidTrainingJobError(
      `Job ${p.jobId} lets a participant take over after ${spec.takeoverTimeoutSeconds} s, but a round with this node's phase deadlines can take ${roundSeconds} s; shorten the deadlines or create the job with a longer takeoverTimeoutSeconds.`,
    )
  }
  const verifyContribution = contributionVerifier(c.chain)
  state = { ...state, role: 'coordinator', status: 'running', committedRounds: committed.rounds }
  await c.states.save(state)

  let strategyState: StrategyState | undefined
  for (let round = committed.rounds + 1; round <= spec.rounds; round++) {
    throwIfAborted(p.signal)
    await heartbeatTrainingJobIfDue(c.chain, { jobId: p.jobId, needSeconds: roundSeconds })
    const result = await runCoordinatorRound(
      { openChannel: c.openChannel, verifyContribution, log },
      {
        jobId: p.jobId,
        spec,
        round,
        global,
        globalHash: state.global.hash,
        strategyState,
        members: spec.participants.map((m) => m.peerId),
        timeouts: p.timeouts,
        signal: p.signal,
        onProgress: p.onProgress,
      },
    )
    strategyState = result.strategyState
    state = await commitRound(c, { jobId: p.jobId, state, result })
    global = result.global
    await deliverResult(log, result, state.global.hash, p.timeouts)
    log.info(
      {
        round,
        members: result.contributors.length,
        dropped: result.dropped,
        wallMs: Math.round(result.wallMs),
      },
      'round committed',
    )
    p.onProgress?.({
      type: 'federated:round:committed',
      detail: {
        jobId: p.jobId.toString(),
        round,
        members: result.contributors.map((m) => m.peerId),
        dropped: result.dropped,
        meanLoss: state.history.at(-1)!.meanLoss ?? Number.NaN,
        wallMs: result.wallMs,
      },
    })
  }
  return finishJob(c, { jobId: p.jobId, state, global, onProgress: p.onProgress })
}

/**
 * Loads this node's state of a job and checks it against the chain, the source of truth for progress:
 * this node must be the coordinator and hold the model of the last committed round.
 */
async function resumableState(
  c: JobCoordinatorComponents,
  jobId: bigint,
): Promise<{ state: JobState; rounds: number }> {
  let state = await c.states.load(jobId)
  if (state === undefined)
    throw new JobStateCorruptError(`This node holds no state for job ${jobId}; it cannot coordinate it.`)
  const me = c.chain.wallet.account.address
  const onChain = await getTrainingJob(c.chain, jobId)
  if (onChain.coordinator.toLowerCase() !== me.toLowerCase()) {
    throw new NotJobCoordinatorError(
      `${me} is not the coordinator of job ${jobId} on chain (${onChain.coordinator} is); take over first.`,
    )
  }
  if (onChain.committedRounds === state.global.round + 1) {
    // Died between the commit and the state write: the pending model file is the committed one.
    const hash = onChain.roundRecords.at(-1)!.modelHash
    if (await c.states.hasGlobal(jobId, onChain.committedRounds, hash)) {
      state = {
        ...state,
        committedRounds: onChain.committedRounds,
        global: { ...state.global, round: onChain.committedRounds, hash },
      }
      await c.states.save(state)
    }
  }
  if (onChain.committedRounds !== state.global.round) {
    throw new JobStateCorruptError(
      `Job ${jobId} has ${onChain.committedRounds} rounds committed on chain but this node holds the model of round ${state.global.round}.`,
    )
  }
  if (onChain.committedRounds > 0 && onChain.roundRecords.at(-1)!.modelHash !== state.global.hash) {
    throw new JobStateCorruptError(
      `The saved model of job ${jobId} does not match round ${onChain.committedRounds} on chain.`,
    )
  }
  return { state, rounds: onChain.committedRounds }
}

/** Saves the round's model, commits it on chain with the contributions, then records it in the state. */
async function commitRound(
  c: JobCoordinatorComponents,
  p: { jobId: bigint; state: JobState; result: CoordinatorRoundResult },
): Promise<JobState> {
  const { result, state } = p
  const { spec } = state
  const round = result.round
  const hash = modelHash(result.global)
  const contributions = result.contributors.map((m) => {
    if (m.contributionSignature === undefined)
      throw new RoundProtocolError(`Round ${round}: ${m.peerId} did not sign its contribution.`)
    return {
      peerId: m.peerId,
      address: addressFromPeerId(m.peerId),
      amount: contributionAmount(spec.contribution.rule, m.numExamples),
      signature: m.contributionSignature,
      datasets: uploadDatasets(m),
    }
  })
  await c.states.savePendingGlobal(p.jobId, round, result.global)
  await commitTrainingRound(c.chain, {
    jobId: p.jobId,
    round,
    modelHash: hash,
    inputsCommitment: result.inputsCommitment,
    trainedFrom: state.global.hash,
    contributions: contributions.map((x) => ({
      address: x.address,
      amount: x.amount,
      signature: x.signature,
      datasets: x.datasets,
    })),
  })
  const mean = (xs: (number | undefined)[]) => {
    const v = xs.filter((x): x is number => x !== undefined)
    return v.length === 0 ? undefined : v.reduce((a, b) => a + b, 0) / v.length
  }
  const next: JobState = {
    ...state,
    committedRounds: round,
    global: { round, hash, layout: layoutOf(result.global) },
    history: [
      ...state.history,
      {
        round,
        modelHash: hash,
        members: result.contributors.map((m) => m.peerId),
        dropped: result.dropped,
        contributions: contributions.map((x) => ({
          peerId: x.peerId,
          address: x.address,
          amount: x.amount.toString(),
        })),
        meanLoss: mean(result.contributors.map((m) => m.loss)),
        meanHeldOutLoss: mean(result.contributors.map((m) => m.heldOutLoss)),
        wallMs: Math.round(result.wallMs),
      },
    ],
  }
  await c.states.save(next)
  return next
}

/** Sends the committed model to the contributors, so any of them can take over as coordinator. */
async function deliverResult(
  log: Logger,
  result: CoordinatorRoundResult,
  hash: `0x${string}`,
  timeouts: RoundTimeouts,
): Promise<void> {
  const round = result.round
  const resultFrame = { type: 'result', round, modelHash: hash, global: encodeWireModel(result.global) }
  await Promise.all(
    [...result.channels.entries()].map(async ([peerId, ch]) => {
      try {
        const signal = AbortSignal.timeout(timeouts.unmaskMs)
        await ch.send(resultFrame, { signal })
        const ack = await ch.receive(storedMessage, { signal })
        if (ack.round !== round || ack.modelHash !== hash) throw new Error('stored the wrong model')
        await ch.close()
      } catch (err) {
        log.warn({ err, peerId }, 'could not deliver the round result')
      }
    }),
  )
}

/** Exports the result, records it on chain and opens the governance proposal (each step skipped if done). */
async function finishJob(
  c: JobCoordinatorComponents,
  p: {
    jobId: bigint
    state: JobState
    global: TensorMap
    onProgress?: (e: RoundProgressEvent) => void
  },
): Promise<JobState> {
  let state = p.state
  const spec = state.spec
  const path = join(c.states.jobDir(p.jobId), 'result.gguf')
  if (state.resultRoot === undefined) {
    await c.exportGguf(spec, p.global, path)
    const root = await (c.contentRoot ?? fileSha256)(path)
    state = { ...state, resultRoot: root, resultPath: path }
    await c.states.save(state)
  }
  let onChain = await getTrainingJob(c.chain, p.jobId)
  if (onChain.status === 'active') {
    await finishTrainingJob(c.chain, { jobId: p.jobId, resultRoot: state.resultRoot! })
    onChain = await getTrainingJob(c.chain, p.jobId)
  }
  if (onChain.proposalId === 0n) {
    const model = await getModel(c.chain, onChain.modelId)
    const { size } = await stat(path)
    const versionId = await proposeVersion(c.chain, {
      modelId: onChain.modelId,
      contentRoot: state.resultRoot!,
      format: 'gguf',
      size: BigInt(size),
      cardURI: `commons:training-job/${p.jobId}`,
    })
    const contracts = {
      registry: c.chain.deployment.modelRegistry,
      shares: model.shares,
      timelock: model.timelock,
    }
    const mints = sharesForContributors(onChain.totals, BigInt(spec.contribution.sharesToMint))
    const proposalId = await propose(c.chain, {
      governor: model.governor,
      calls: [
        publishVersionCall(contracts, onChain.modelId, versionId),
        ...mints.map((m) => mintSharesCall(contracts, m.address, m.amount)),
      ],
      description: `Publish the result of federated training job ${p.jobId} (${spec.rounds} rounds, ${onChain.participants.length} members) and mint shares to its contributors.${spec.description ? `\n\n${spec.description}` : ''}`,
    })
    await recordTrainingProposal(c.chain, { jobId: p.jobId, versionId, proposalId })
    state = { ...state, versionId: versionId.toString(), proposalId: proposalId.toString() }
  } else {
    state = { ...state, versionId: onChain.versionId.toString(), proposalId: onChain.proposalId.toString() }
  }
  state = { ...state, status: 'finished' }
  await c.states.save(state)
  p.onProgress?.({
    type: 'federated:job:finished',
    detail: {
      jobId: p.jobId.toString(),
      round: state.committedRounds,
      resultRoot: state.resultRoot!,
      proposalId: state.proposalId,
    },
  })
  return state
}
