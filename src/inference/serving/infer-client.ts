import type { Stream } from '@libp2p/interface'
import { AbortedError, throwIfAborted } from '../../errors.ts'
import { FrameReader, RemoteError, writeJson } from '../../net/index.ts'
import type { GenerationChunk } from '../index.ts'
import { AnswerBudget } from './answer-budget.ts'
import { DEFAULT_PEER_DEADLINE_MS, INFER_PROTOCOL, MAX_INFER_ANSWER_BYTES } from './constants.ts'
import { InferenceProtocolError, PeerStalledError, PeerStreamError } from './errors.ts'
import { EmbeddingFrameSchema, GenerationFrameSchema, type RequestScope } from './infer-frames.ts'
import type { Embedding, InferenceTask } from './inference-task.ts'

/** The host part the client uses (CommonsHost satisfies it). */
export interface InferDialer {
  dial(peer: string, protocol: string, options?: { signal?: AbortSignal }): Promise<Stream>
}

/** Timeouts of a remote generation. */
export interface RemoteInferOptions {
  signal?: AbortSignal
  /** Longest silence between two frames before the peer counts as stalled (ms). */
  stallTimeoutMs: number
  /** Longest wait for the first frame: queueing plus prompt evaluation on the peer (ms). */
  firstChunkTimeoutMs: number
  /** Longest the whole attempt may take (ms); DEFAULT_PEER_DEADLINE_MS when unset. */
  deadlineMs?: number
  /** On whose behalf the request is made (the serving node applies the model's policy to it). */
  scope?: RequestScope
  /** Called when the peer reports the request queued (its place, 1 = next), before the first chunk. */
  onQueued?(position: number): void
}

/**
 * Runs a generation on a peer over `/commons/infer/1.0.0`, continuing after `generated` tokens.
 * Every chunk is checked against the request (AnswerBudget: tokens within max_tokens, text bounded by
 * tokens) before it is yielded, and the attempt has a total deadline besides the stall timeout.
 * Throws RemoteError for an error frame, PeerStalledError on silence or past the deadline,
 * InferenceProtocolError when the peer breaks the protocol, PeerStreamError when the stream
 * breaks, AbortedError when `signal` fires (the stream is reset, so the peer stops generating).
 */
export async function* generateOnPeer(
  host: InferDialer,
  peerId: string,
  contentRoot: string,
  task: InferenceTask,
  generated: readonly number[],
  options: RemoteInferOptions,
): AsyncGenerator<GenerationChunk> {
  const { signal } = options
  const deadlineMs = options.deadlineMs ?? DEFAULT_PEER_DEADLINE_MS
  const deadline = AbortSignal.timeout(deadlineMs)
  const watch = new StreamWatch(signal, options.firstChunkTimeoutMs, deadline, deadlineMs)
  const budget = new AnswerBudget(peerId, generated.length, task.params.maxTokens)
  let stream: Stream | undefined
  let reader: FrameReader | undefined
  let finished = false
  try {
    stream = await host.dial(peerId, INFER_PROTOCOL, { signal: watch.signal }).catch((err) => {
      throw watch.translate(err, `Could not open an inference stream to ${peerId}.`)
    })
    reader = new FrameReader(stream, MAX_INFER_ANSWER_BYTES)
    await writeJson(
      stream,
      { type: 'generate', contentRoot, task, generated, ...options.scope },
      { signal: watch.signal },
    )
    let chunks = 0
    for (;;) {
      let frame: Awaited<ReturnType<typeof readFrame>>
      try {
        frame = await readFrame(reader, watch.signal)
      } catch (err) {
        throw watch.translate(err, `The inference stream from ${peerId} broke.`)
      }
      if (frame.type === 'queued') {
        // A queued request is not a stalled one: wait for the first chunk again, within the deadline.
        if (chunks > 0)
          throw new InferenceProtocolError(`${peerId} reported its queue after the generation started.`)
        watch.arm(options.firstChunkTimeoutMs)
        options.onQueued?.(frame.position)
        continue
      }
      chunks++
      watch.arm(options.stallTimeoutMs)
      budget.take(frame)
      const chunk: GenerationChunk = { index: frame.index, tokens: frame.tokens, text: frame.text }
      if (frame.finishReason !== undefined) {
        chunk.finishReason = frame.finishReason
        chunk.usage = frame.usage
        if (frame.receipt !== undefined) chunk.receipt = frame.receipt
        finished = true
      }
      yield chunk
      if (finished) return
    }
  } finally {
    watch.dispose()
    reader?.release()
    if (stream !== undefined) {
      if (finished)
        await stream
          .close({ signal: AbortSignal.timeout(2_000) })
          .catch(() => stream?.abort(new AbortedError()))
      else stream.abort(new AbortedError('The requester stopped reading the generation.'))
    }
  }
}

/** Embeds a text on a peer. */
export async function embedOnPeer(
  host: InferDialer,
  peerId: string,
  contentRoot: string,
  input: string,
  options: { signal?: AbortSignal; timeoutMs: number; scope?: RequestScope },
): Promise<Embedding> {
  const watch = new StreamWatch(options.signal, options.timeoutMs)
  let stream: Stream | undefined
  let reader: FrameReader | undefined
  try {
    stream = await host.dial(peerId, INFER_PROTOCOL, { signal: watch.signal })
    reader = new FrameReader(stream, MAX_INFER_ANSWER_BYTES)
    await writeJson(stream, { type: 'embed', contentRoot, input, ...options.scope }, { signal: watch.signal })
    const answer = await reader.readJson(EmbeddingFrameSchema, { signal: watch.signal })
    await stream.close({ signal: AbortSignal.timeout(2_000) }).catch(() => undefined)
    return { vector: Float32Array.from(answer.vector), promptTokens: answer.promptTokens }
  } catch (err) {
    stream?.abort(new AbortedError())
    throw watch.translate(err, `Embedding on ${peerId} failed.`)
  } finally {
    watch.dispose()
    reader?.release()
  }
}

function readFrame(reader: FrameReader, signal: AbortSignal) {
  return reader.readJson(GenerationFrameSchema, { signal })
}

/** One abort signal for a remote call: the caller's signal or a resettable stall timer. */
class StreamWatch {
  private readonly stall = new AbortController()
  private timer: NodeJS.Timeout | undefined
  private ms = 0
  readonly signal: AbortSignal

  constructor(
    private readonly caller: AbortSignal | undefined,
    timeoutMs: number,
    private readonly deadline?: AbortSignal,
    private readonly deadlineMs = 0,
  ) {
    const signals = [caller, this.stall.signal, deadline].filter((s) => s !== undefined)
    this.signal = signals.length === 1 ? this.stall.signal : AbortSignal.any(signals)
    this.arm(timeoutMs)
  }

  /** (Re)starts the stall timer; refreshing an armed timer of the same length costs no allocation. */
  arm(ms: number): void {
    if (this.timer !== undefined && this.ms === ms) {
      this.timer.refresh()
      return
    }
    clearTimeout(this.timer)
    this.ms = ms
    this.timer = setTimeout(
      () => this.stall.abort(new PeerStalledError(`The peer sent no frame for ${ms} ms.`)),
      ms,
    )
  }

  dispose(): void {
    clearTimeout(this.timer)
  }

  /** Names why a remote call failed: the caller aborted, the peer stalled, the peer answered an error, or the stream broke. */
  translate(err: unknown, what: string): Error {
    throwIfAborted(this.caller)
    if (this.stall.signal.aborted) return this.stall.signal.reason as PeerStalledError
    if (this.deadline?.aborted === true) {
      return new PeerStalledError(`The peer did not finish the generation within ${this.deadlineMs} ms.`)
    }
    if (err instanceof RemoteError || err instanceof InferenceProtocolError) return err
    return new PeerStreamError(`${what} ${(err as Error)?.message ?? ''}`.trim(), { cause: err })
  }
}
