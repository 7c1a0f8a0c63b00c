import { AbortedError, throwIfAborted } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import type { PeerDirectory } from '../../net/index.ts'
import { RemoteError } from '../../net/index.ts'
import type { GenerationChunk } from '../index.ts'
import type { GenerationMeter, MeteredAttempt } from '../metering-hooks.ts'
import { InferenceProtocolError, ModelBusyError, ModelNotLoadedError } from '../serving/errors.ts'
import { embedOnPeer, generateOnPeer, type InferDialer } from '../serving/infer-client.ts'
import { type Embedding, embedOnEngine, type InferenceTask, runOnEngine } from '../serving/inference-task.ts'
import type { LocalModels } from '../serving/local-models.ts'
import type { ModelAdmission } from '../serving/model-admission.ts'
import {
  InferenceUnavailableError,
  NoServingNodeError,
  PeerRefusedConsumerError,
  PeerRejectedRequestError,
} from './errors.ts'
import { PeerScoreboard } from './peer-scoreboard.ts'
import { chooseRoute, LOCAL, type Route, type RouteCandidate } from './route-decision.ts'

/** The model version a request is for, as the resolver found it. */
export interface RouteTarget {
  modelName: string
  modelId: string
  versionId: string
  contentRoot: string
}

/** One failover: the generation moved from `from` to `to` after `generated` tokens. */
export interface FailoverEvent {
  from: string
  to: string
  generated: number
  reason: string
  /** From the failure being detected to the first chunk from the new node (ms). */
  resumeMs: number
  /** From the last chunk before the failure to the first chunk after it, as the client sees it (ms). */
  gapMs: number
}

/** Timeouts and hooks of the router. */
export interface InferenceRouterInit {
  /** Longest silence between two frames of a peer before failing over (ms). */
  stallTimeoutMs?: number
  /** Longest wait for a peer's first frame (ms). */
  firstChunkTimeoutMs?: number
  /** Most nodes one request tries. */
  maxAttempts?: number
  /**
   * Score (ms per token) an untried peer gets at most, so one measured slower is not preferred to it
   * (default UNMEASURED_PRIOR_MS_PER_TOKEN); a huge value keeps traffic on measured peers (tests that
   * need to know which peer serves).
   */
  unmeasuredPriorMsPerToken?: number
  onFailover?: (event: FailoverEvent) => void
}

/** What the router needs from the node; without host and directory it serves local models only. */
export interface InferenceRouterComponents {
  localModels: LocalModels
  admission: ModelAdmission
  log: Logger
  host?: InferDialer & { peerId: string; connectedPeers?(): string[] }
  directory?: PeerDirectory
  /** Meters attempts of paid requests (the consumer pays each node for what it delivered). */
  meter?: GenerationMeter
}

/** Penalty of a protocol violation: the peer sorts after every peer that merely failed (cf. 1 per failure). */
const VIOLATION_PENALTY = 1_000

/** How much a failed attempt lowers a peer's standing: none when busy, a lot when it broke the protocol. */
function penaltyFor(err: unknown): number {
  if (err instanceof ModelBusyError) return 0
  return err instanceof InferenceProtocolError ? VIOLATION_PENALTY : 1
}

/** Remote error names that say the request itself is bad: another peer would refuse it too. */
const REJECTIONS = new Set(['InvalidInputError', 'ContextOverflowError', 'PeerRejectedRequestError'])

/** Remote error names of a usage-policy refusal: the serving node's owners' policy does not admit the consumer. */
const POLICY_REFUSALS = new Set([
  'ConsumerUnknownError',
  'NotAllowlistedError',
  'TermsNotAcceptedError',
  'PaymentRequiredError',
  'ConsumerRateLimitedError',
])

/**
 * Places generations: locally when the model is loaded here, else on the best peer that announces it,
 * and on a failure mid-stream resumes on the next node with prompt + tokens so far (same seed), so the
 * consumer sees one stream with no lost or repeated tokens.
 */
export class InferenceRouter {
  private readonly stallTimeoutMs: number
  private readonly firstChunkTimeoutMs: number
  private readonly maxAttempts: number
  /** What this node measured of each peer: routing rests on it, not on what peers announce. */
  readonly scores = new PeerScoreboard()

  constructor(
    private readonly c: InferenceRouterComponents,
    private readonly init: InferenceRouterInit = {},
  ) {
    this.stallTimeoutMs = init.stallTimeoutMs ?? 10_000
    this.firstChunkTimeoutMs = init.firstChunkTimeoutMs ?? 60_000
    this.maxAttempts = init.maxAttempts ?? 4
  }

  /** True when this node or a known peer serves the target. */
  available(target: RouteTarget): boolean {
    return this.c.localModels.get(target.contentRoot) !== undefined || this.candidates(target).length > 0
  }

  /** Peers (other than this node) that announce serving the target's model version. */
  candidates(target: RouteTarget): RouteCandidate[] {
    const { directory, host } = this.c
    if (directory === undefined || host === undefined) return []
    const seen = new Map<string, RouteCandidate>()
    for (const model of new Set([target.modelId, target.modelName])) {
      for (const e of directory.servingModel(model, target.versionId)) {
        if (e.peerId === host.peerId) continue
        seen.set(e.peerId, {
          peerId: e.peerId,
          load: e.announcement.load,
          latencyMs: e.latencyMs,
          penalty: e.penalty,
          measured: this.scores.get(e.peerId),
          priceWeiPer1kTokens: BigInt(e.announcement.priceWeiPer1kTokens),
        })
      }
    }
    return [...seen.values()]
  }

  /** Where the next attempt goes. */
  route(target: RouteTarget, exclude: ReadonlySet<string>): Route {
    return chooseRoute({
      localAvailable: this.c.localModels.get(target.contentRoot) !== undefined,
      // Requests on the local engine (admitted when a local attempt starts): 1 = no slot left.
      localLoad: Math.min(1, this.c.admission.count(target.contentRoot) / this.c.admission.capacity),
      candidates: this.candidates(target),
      exclude,
      unmeasuredPriorCap: this.init.unmeasuredPriorMsPerToken,
    })
  }

  /**
   * Generates, failing over between nodes. Throws NoServingNodeError (nobody serves it),
   * InferenceUnavailableError (every node failed), ModelBusyError (all busy), InvalidInputError, AbortedError.
   * @example
   * for await (const chunk of router.generate(target, task, { signal })) res.write(chunk.text)
   */
  async *generate(
    target: RouteTarget,
    task: InferenceTask,
    options: { signal?: AbortSignal; consumer?: `0x${string}` } = {},
  ): AsyncGenerator<GenerationChunk> {
    const { signal } = options
    const generated: number[] = []
    const tried = new Set<string>()
    let lastError: Error | undefined
    let failedAt: { from: string; reason: string; detectedAt: number; lastChunkAt: number } | undefined
    let lastChunkAt = performance.now()
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      throwIfAborted(signal)
      const route = this.route(target, tried)
      if (route.kind === 'none') break
      const name = route.kind === 'local' ? LOCAL : route.peerId
      tried.add(name)
      const startTokens = generated.length
      const metered = await this.beginMetered(route, target, task, startTokens, options.consumer)
      let final: Parameters<MeteredAttempt['end']>[0] | undefined
      const source = this.open(route, target, task, generated, signal, options.consumer, metered?.requestId)
      const startedAt = performance.now()
      const measure = route.kind === 'peer' ? this.scores.start(route.peerId) : undefined
      try {
        for await (const chunk of source) {
          const now = performance.now()
          if (failedAt !== undefined) {
            const event: FailoverEvent = {
              from: failedAt.from,
              to: name,
              generated: generated.length,
              reason: failedAt.reason,
              resumeMs: now - failedAt.detectedAt,
              gapMs: now - failedAt.lastChunkAt,
            }
            failedAt = undefined
            this.c.log.info(event, 'inference failed over')
            this.init.onFailover?.(event)
          }
          lastChunkAt = now
          generated.push(...chunk.tokens)
          if (chunk.finishReason !== undefined) {
            measure?.({ ok: true, ms: now - startedAt, tokens: generated.length - startTokens })
            // Paid for once the final chunk is out (below, in `finally`): metering adds nothing to the answer.
            final = {
              completionTokens: generated.length - startTokens,
              promptTokens: chunk.usage === undefined ? undefined : chunk.usage.promptTokens + startTokens,
              receipt: chunk.receipt,
            }
          }
          yield chunk
          if (chunk.finishReason !== undefined) return
        }
        throw new InferenceUnavailableError(`${name} ended the generation without a final chunk.`)
      } catch (err) {
        if (signal?.aborted === true) throw new AbortedError(undefined, { cause: signal.reason })
        const fatal = this.fatal(err)
        if (fatal !== undefined) throw fatal
        measure?.({ ok: false })
        lastError = err as Error
        if (route.kind === 'peer') this.c.directory?.penalize(route.peerId, penaltyFor(err))
        this.c.log.warn({ err, node: name, generated: generated.length }, 'inference attempt failed')
        failedAt = { from: name, reason: (err as Error).name, detectedAt: performance.now(), lastChunkAt }
      } finally {
        measure?.()
        // Ended early (failure, cancel): the consumer pays for the tokens that reached it, no prompt.
        metered?.end(final ?? { completionTokens: generated.length - startTokens })
      }
    }
    throw this.exhausted(target, tried, lastError)
  }

  private beginMetered(
    route: Route,
    target: RouteTarget,
    task: InferenceTask,
    generatedBefore: number,
    consumer: `0x${string}` | undefined,
  ): Promise<MeteredAttempt | undefined> | undefined {
    if (this.c.meter === undefined || consumer === undefined || route.kind === 'none') return undefined
    const peer = route.kind === 'peer' ? route.peerId : undefined
    return this.c.meter.begin({ target, consumer, peer, task, generatedBefore })
  }

  /** Embeds a text here when the model is loaded, else on the best peer (trying the next on failure). */
  async embed(
    target: RouteTarget,
    input: string,
    options: { signal?: AbortSignal; consumer?: `0x${string}` } = {},
  ): Promise<Embedding> {
    const tried = new Set<string>()
    let lastError: Error | undefined
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const route = this.route(target, tried)
      if (route.kind === 'none') break
      try {
        if (route.kind === 'local') {
          tried.add(LOCAL)
          const release = this.c.admission.admit(target.contentRoot)
          try {
            return await embedOnEngine(this.localEngine(target), input, options.signal)
          } finally {
            release()
          }
        }
        tried.add(route.peerId)
        return await embedOnPeer(this.c.host!, this.dialTarget(route.peerId), target.contentRoot, input, {
          signal: options.signal,
          timeoutMs: this.firstChunkTimeoutMs,
          scope: { modelId: target.modelId, consumer: options.consumer },
        })
      } catch (err) {
        throwIfAborted(options.signal)
        const fatal = this.fatal(err)
        if (fatal !== undefined) throw fatal
        lastError = err as Error
      }
    }
    throw this.exhausted(target, tried, lastError)
  }

  private open(
    route: Route,
    target: RouteTarget,
    task: InferenceTask,
    generated: readonly number[],
    signal: AbortSignal | undefined,
    consumer: `0x${string}` | undefined,
    requestId?: `0x${string}`,
  ): AsyncIterable<GenerationChunk> {
    if (route.kind === 'local') return this.runLocal(target, task, [...generated], signal)
    if (route.kind !== 'peer' || this.c.host === undefined) throw new Error('unreachable route')
    return generateOnPeer(
      this.c.host,
      this.dialTarget(route.peerId),
      target.contentRoot,
      task,
      [...generated],
      {
        signal,
        stallTimeoutMs: this.stallTimeoutMs,
        firstChunkTimeoutMs: this.firstChunkTimeoutMs,
        scope: { modelId: target.modelId, consumer, requestId },
      },
    )
  }

  /**
   * A generation on this node's engine, holding one of the model's admission slots while it runs or waits
   * (ModelBusyError when none is left: the router then tries a peer). Requests this node forwards to a
   * peer take no slot here: the serving peer admits them.
   */
  private async *runLocal(
    target: RouteTarget,
    task: InferenceTask,
    generated: number[],
    signal: AbortSignal | undefined,
  ): AsyncGenerator<GenerationChunk> {
    const release = this.c.admission.admit(target.contentRoot)
    try {
      yield* runOnEngine(this.localEngine(target), task, generated, signal)
    } finally {
      release()
    }
  }

  /**
   * The PeerId when connected (libp2p reuses the connection), else the first address the peer announced
   * with `/p2p/<id>`: a peer learnt from gossip relayed by others may be unknown to the peer store.
   */
  private dialTarget(peerId: string): string {
    if (this.c.host?.connectedPeers?.().includes(peerId) !== false) return peerId
    const addr = this.c.directory?.get(peerId)?.announcement.addrs[0]
    if (addr === undefined) return peerId
    return addr.includes('/p2p/') ? addr : `${addr}/p2p/${peerId}`
  }

  private localEngine(target: RouteTarget) {
    const engine = this.c.localModels.get(target.contentRoot)
    if (engine === undefined)
      throw new ModelNotLoadedError(`Content root ${target.contentRoot} was unloaded.`)
    return engine
  }

  /** The error to surface at once (no failover), or undefined when another node may succeed. */
  private fatal(err: unknown): Error | undefined {
    if (err instanceof AbortedError) return err
    if (err instanceof RemoteError) {
      if (POLICY_REFUSALS.has(err.remoteName)) {
        return new PeerRefusedConsumerError(
          "The serving node refused the request under the model's usage policy: check the consumer's allowlisting, accepted terms and deposit.",
          { cause: err },
        )
      }
      if (REJECTIONS.has(err.remoteName)) {
        // The client is told in our words: a peer's own text never reaches it.
        const message =
          err.remoteName === 'ContextOverflowError'
            ? 'The prompt and max_tokens do not fit the context of the model on the serving node: shorten the prompt or lower max_tokens.'
            : 'The serving node refused the request as invalid: check its parameters.'
        return new PeerRejectedRequestError(message, { cause: err })
      }
      return undefined
    }
    const name = (err as Error)?.name
    if (
      name === 'InvalidInputError' ||
      name === 'ContextOverflowError' ||
      name === 'PeerRejectedRequestError'
    ) {
      return err as Error
    }
    return undefined
  }

  private exhausted(target: RouteTarget, tried: ReadonlySet<string>, lastError: Error | undefined): Error {
    const label = `${target.modelName}@${target.versionId}`
    if (tried.size === 0) {
      return new NoServingNodeError(
        `No node serves ${label} right now: it is not loaded here and no peer announces it. Ask a node operator to run \`commons serve ${target.modelName}\`.`,
      )
    }
    if (lastError instanceof ModelBusyError) return lastError
    if (lastError instanceof RemoteError && lastError.remoteName === 'ModelBusyError') {
      return new ModelBusyError(`Every node serving ${label} is busy; retry shortly.`, 1)
    }
    return new InferenceUnavailableError(
      `Every node tried for ${label} failed (${[...tried].length} tried, last: ${lastError?.name ?? 'unknown'}); retry later.`,
      { cause: lastError },
    )
  }
}
