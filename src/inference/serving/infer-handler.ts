import type { Stream } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { AbortedError } from '../../errors.ts'
import type { Logger } from '../../log.ts'
import type { RemotePeer } from '../../net/index.ts'
import { closeWithError, encodeJsonFrame, FrameReader, writeJson, writeRaw } from '../../net/index.ts'
import type { ServedMeter } from '../metering-hooks.ts'
import { mergeChunks } from './chunk-frames.ts'
import { CHUNK_COALESCE_MS, MAX_INFER_REQUEST_BYTES, QUEUE_PROGRESS_INTERVAL_MS } from './constants.ts'
import { ModelNotLoadedError } from './errors.ts'
import { type InferRequestFrame, InferRequestFrameSchema } from './infer-frames.ts'
import { embedOnEngine, runOnEngine } from './inference-task.ts'
import type { LocalModels } from './local-models.ts'
import type { ModelAdmission } from './model-admission.ts'
import { checkPeerRequest } from './peer-request-limits.ts'
import { prefetchBatches } from './prefetch.ts'

/** What the serving side of the inference protocol needs. */
export interface InferHandlerComponents {
  localModels: LocalModels
  admission: ModelAdmission
  log: Logger
  /** How long a peer may take to send its request frame (ms). */
  requestTimeoutMs?: number
  /** How often a queued request's place is reported before its first chunk (ms). */
  queueProgressMs?: number
  /**
   * The models' usage policy, applied to the consumer a peer asks for before any work (throws the
   * refusal); absent: peers are trusted to have applied it (tests, open commons).
   */
  admit?(req: {
    contentRoot: string
    modelId?: string
    consumer?: `0x${string}`
    bound?: { promptBytes: number; maxTokens: number }
    unmetered?: boolean
  }): Promise<void>
  /** Signs the receipt of a paid request (sent with the last chunk); absent: no receipts. */
  meter?: ServedMeter
  /** Least time between two chunk frames of a generation (ms; CHUNK_COALESCE_MS when unset, 0: a frame per chunk). */
  coalesceMs?: number
}

/**
 * Serves `/commons/infer/1.0.0`: reads one validated request frame, runs it on the local engine and
 * streams chunk frames (a token after a quiet spell at once; tokens produced within CHUNK_COALESCE_MS of the
 * last frame merged into the next) or
 * one embedding frame, then closes; failures become wire error frames. A reset or closed stream (the requester gave up) aborts the generation.
 */
export function inferProtocolHandler(c: InferHandlerComponents) {
  return async (stream: Stream, remote: RemotePeer): Promise<void> => {
    const reader = new FrameReader(stream, MAX_INFER_REQUEST_BYTES)
    const cancel = new AbortController()
    const onClose = (): void => cancel.abort(new AbortedError('The requesting peer closed the stream.'))
    stream.addEventListener('close', onClose)
    let release: (() => void) | undefined
    let req: InferRequestFrame | undefined
    let sentTokens = 0
    let progress: NodeJS.Timeout | undefined
    try {
      req = await reader.readJson(InferRequestFrameSchema, {
        signal: AbortSignal.any([cancel.signal, AbortSignal.timeout(c.requestTimeoutMs ?? 10_000)]),
      })
      checkPeerRequest(req)
      await c.admit?.({
        contentRoot: req.contentRoot,
        modelId: req.modelId,
        consumer: req.consumer as `0x${string}` | undefined,
        ...boundOf(req),
      })
      const engine = c.localModels.get(req.contentRoot)
      if (engine === undefined) {
        throw new ModelNotLoadedError(`Content root ${req.contentRoot} is not loaded on this node.`)
      }
      const ticket = c.admission.admitTicket(req.contentRoot)
      release = ticket.release
      if (req.type === 'embed') {
        const { vector, promptTokens } = await embedOnEngine(engine, req.input, cancel.signal)
        await writeJson(
          stream,
          { type: 'embedding', vector: Array.from(vector), promptTokens },
          { signal: cancel.signal },
        )
      } else {
        // While the request waits for a free sequence, tell the requester its place now and then, so it
        // knows the peer is alive. Writes go one after another: the first chunk waits for a report in flight.
        let writing: Promise<unknown> = Promise.resolve()
        let started = false
        const report = (): void => {
          const position = ticket.ahead() - engine.info.parallelSequences + 1
          if (started || position < 1) return
          writing = writing
            .then(() => writeJson(stream, { type: 'queued', position }, { signal: cancel.signal }))
            .catch(() => {})
        }
        report()
        progress = setInterval(report, c.queueProgressMs ?? QUEUE_PROGRESS_INTERVAL_MS)
        // Generation runs ahead of the socket; chunks produced within CHUNK_COALESCE_MS of the last frame
        // go out merged into one frame (a chunk after a quiet spell, the first and the final one go at once).
        for await (const batch of prefetchBatches(
          runOnEngine(engine, req.task, req.generated, cancel.signal),
          {
            minIntervalMs: c.coalesceMs ?? CHUNK_COALESCE_MS,
            urgent: (chunk) => chunk.finishReason !== undefined,
          },
        )) {
          if (!started) {
            started = true
            clearInterval(progress)
            await writing
          }
          const frames = new Uint8ArrayList()
          for (const chunk of mergeChunks(batch)) {
            const receipt =
              chunk.finishReason === undefined ? undefined : await receiptFor(c, req, remote, chunk)
            frames.append(
              encodeJsonFrame({ type: 'chunk', ...chunk, ...(receipt === undefined ? {} : { receipt }) }),
            )
            sentTokens += chunk.tokens.length
          }
          await writeRaw(stream, frames, { signal: cancel.signal })
        }
      }
      await stream.close({ signal: AbortSignal.timeout(5_000) })
    } catch (err) {
      if (cancel.signal.aborted) {
        c.log.debug({ peerId: remote.peerId }, 'inference stream closed by the requester')
        // Tokens already sent are owed: a receipt for them waits to be claimed from the requester.
        if (req?.type === 'generate' && sentTokens > 0) {
          const usage = { promptTokens: 0, completionTokens: req.generated.length + sentTokens }
          await receiptFor(c, req, remote, { usage }).catch(() => undefined)
        }
        return
      }
      c.log.debug({ err, peerId: remote.peerId }, 'inference request failed')
      await closeWithError(stream, err)
    } finally {
      clearInterval(progress)
      release?.()
      reader.release()
      stream.removeEventListener('close', onClose)
    }
  }
}

/** The signed receipt of a finished paid request, when the requester named one (requestId, consumer, model). */
async function receiptFor(
  c: InferHandlerComponents,
  req: { contentRoot: string; modelId?: string; consumer?: string; requestId?: string; generated: number[] },
  remote: RemotePeer,
  last: { usage?: { promptTokens: number; completionTokens: number } },
): Promise<unknown> {
  if (c.meter === undefined || req.requestId === undefined || req.consumer === undefined) return undefined
  if (req.modelId === undefined || last.usage === undefined) return undefined
  return c.meter.served({
    gateway: remote.peerId,
    consumer: req.consumer as `0x${string}`,
    modelId: req.modelId,
    requestId: req.requestId as `0x${string}`,
    contentRoot: req.contentRoot,
    // A resumed generation evaluates the tokens generated before as prompt and is paid for the rest.
    promptTokens: last.usage.promptTokens + req.generated.length,
    completionTokens: Math.max(0, last.usage.completionTokens - req.generated.length),
  })
}

/** How large a peer's request can be (what its price is bounded by); an embedding is not metered. */
function boundOf(req: InferRequestFrame): {
  bound: { promptBytes: number; maxTokens: number }
  unmetered?: boolean
} {
  if (req.type === 'embed')
    return { bound: { promptBytes: Buffer.byteLength(req.input), maxTokens: 0 }, unmetered: true }
  const input = req.task.input
  const promptBytes =
    input.kind === 'chat'
      ? input.messages.reduce((n, m) => n + Buffer.byteLength(m.content), 0)
      : typeof input.prompt === 'string'
        ? Buffer.byteLength(input.prompt)
        : input.prompt.length * 4
  return {
    bound: { promptBytes: promptBytes + req.generated.length * 4, maxTokens: req.task.params.maxTokens },
  }
}
