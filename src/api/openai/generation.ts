import { randomInt } from 'node:crypto'
import type { Context } from 'hono'
import { AbortedError, InvalidInputError } from '../../errors.ts'
import {
  type FinishReason,
  type GenerationChunk,
  type InferenceInput,
  type InferenceTask,
  prefetchBatches,
  type ResolvedModel,
} from '../../inference/index.ts'
import { SSE_COALESCE_MS } from '../constants.ts'
import { consumerOf } from './admit.ts'
import { InferenceTimeoutError } from './errors.ts'
import type { OpenAiContext } from './index.ts'
import { openAiErrorBody } from './openai-error.ts'
import { sseResponse } from './sse-response.ts'

/** Sampling fields of a chat or text completion body, as validated. */
export interface SamplingFields {
  model: string
  max_tokens?: number | null
  max_completion_tokens?: number | null
  temperature?: number | null
  top_p?: number | null
  seed?: number | null
  stop?: string | string[] | null
  stream?: boolean | null
  stream_options?: { include_usage?: boolean } | null
}

/** Totals of a finished generation. */
export interface GenerationResult {
  text: string
  finishReason: 'stop' | 'length'
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
}

/** How one endpoint shapes its stream chunks and its final answer. */
export interface ResponseShape {
  /** Chunks sent before the first text (e.g. the chat `role` delta). */
  opening(): unknown[]
  /** A chunk carrying text, or the final one carrying `finishReason`. */
  chunk(text: string, finishReason: 'stop' | 'length' | null): unknown
  /** The usage chunk of `stream_options.include_usage`. */
  usage(usage: GenerationResult['usage']): unknown
  /** The non-streamed answer. */
  complete(result: GenerationResult): unknown
}

/** OpenAI reports end of generation and stop strings both as `stop`. */
export function openAiFinish(reason: FinishReason | undefined): 'stop' | 'length' {
  return reason === 'length' ? 'length' : 'stop'
}

/** Checks limits and builds the routable task: output cap, prompt size, a seed so any peer can resume. */
export function buildTask(
  c: OpenAiContext,
  body: SamplingFields,
  input: InferenceInput,
  promptBytes: number,
): InferenceTask {
  const { limits } = c
  if (promptBytes > limits.maxPromptBytes) {
    throw new InvalidInputError(
      `The prompt is ${promptBytes} bytes, over this node's limit of ${limits.maxPromptBytes} bytes; shorten it.`,
      { details: { param: input.kind === 'chat' ? 'messages' : 'prompt' } },
    )
  }
  const param = body.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens'
  const maxTokens =
    body.max_completion_tokens ?? body.max_tokens ?? Math.min(limits.defaultMaxTokens, limits.maxOutputTokens)
  if (maxTokens > limits.maxOutputTokens) {
    throw new InvalidInputError(
      `${param} is ${maxTokens}, over this node's limit of ${limits.maxOutputTokens} output tokens; ask for fewer.`,
      { details: { param } },
    )
  }
  const stop = body.stop == null ? [] : typeof body.stop === 'string' ? [body.stop] : body.stop
  return {
    input,
    params: {
      maxTokens,
      // OpenAI's defaults: temperature 1, top_p 1.
      temperature: body.temperature ?? 1,
      topP: body.top_p ?? 1,
      seed: body.seed ?? randomInt(0, 2 ** 47),
      stop,
    },
  }
}

/**
 * Runs a generation for an HTTP request: per-model admission (429), request timeout, cancellation when the
 * client goes away; answers JSON or SSE. Errors before the first token get their HTTP status; errors
 * after it are sent as a final SSE `error` event.
 */
export async function respondWithGeneration(
  ctx: Context,
  c: OpenAiContext,
  target: ResolvedModel,
  task: InferenceTask,
  body: SamplingFields,
  shape: ResponseShape,
): Promise<Response> {
  // Admission (429) happens where the generation runs: on this node's engine, or at the serving peer.
  const cancel = new AbortController()
  const onClientGone = (): void => cancel.abort(new AbortedError('The client closed the connection.'))
  const clientSignal = ctx.req.raw.signal
  clientSignal.addEventListener('abort', onClientGone, { once: true })
  const timer = setTimeout(
    () =>
      cancel.abort(
        new InferenceTimeoutError(
          `The request ran over the ${c.limits.requestTimeoutMs} ms limit and was cancelled.`,
        ),
      ),
    c.limits.requestTimeoutMs,
  )
  const cleanup = (): void => {
    clearTimeout(timer)
    clientSignal.removeEventListener('abort', onClientGone)
  }
  const consumer = consumerOf(ctx)
  const stream = c.inference
    .generate(target, task, { signal: cancel.signal, consumer })
    [Symbol.asyncIterator]()
  const timeoutAware = (err: unknown): unknown =>
    cancel.signal.reason instanceof InferenceTimeoutError ? cancel.signal.reason : err

  let first: IteratorResult<GenerationChunk>
  try {
    first = await stream.next()
  } catch (err) {
    cleanup()
    throw timeoutAware(err)
  }

  if (body.stream !== true) {
    try {
      let text = ''
      let last: GenerationChunk | undefined
      for (let r = first; r.done !== true; r = await stream.next()) {
        text += r.value.text
        last = r.value
      }
      return ctx.json(
        shape.complete({ text, finishReason: openAiFinish(last?.finishReason), usage: usageOf(last) }),
      )
    } catch (err) {
      throw timeoutAware(err)
    } finally {
      cleanup()
    }
  }

  return sseResponse(ctx, onClientGone, async (write) => {
    const rest: AsyncIterable<GenerationChunk> = { [Symbol.asyncIterator]: () => stream }
    const batches = prefetchBatches(rest, {
      minIntervalMs: SSE_COALESCE_MS,
      urgent: (chunk) => chunk.finishReason !== undefined,
    })
    const textEvent = textEventOf(shape)
    try {
      let out = shape.opening().map(event).join('')
      let last: GenerationChunk | undefined
      // The next tokens are generated while these are written; what piled up goes out as one event in one
      // write, at most one per SSE_COALESCE_MS (the first token goes out as soon as it exists).
      let batch: GenerationChunk[] = first.done === true ? [] : [first.value]
      for (;;) {
        let text = ''
        for (const chunk of batch) {
          last = chunk
          text += chunk.text
        }
        if (text.length > 0) out += textEvent(text)
        if (last?.finishReason !== undefined) out += event(shape.chunk('', openAiFinish(last.finishReason)))
        if (out.length > 0) await write(out)
        out = ''
        if (first.done === true || last?.finishReason !== undefined) break
        const next = await batches.next()
        if (next.done === true) break
        batch = next.value
      }
      if (body.stream_options?.include_usage === true) out += event(shape.usage(usageOf(last)))
      await write(`${out}data: [DONE]\n\n`)
    } catch (err) {
      // Stops the generation; prefetchBatches closes the source once its pending step settles.
      cancel.abort(err)
      if (!clientSignal.aborted) {
        const { body: errorBody } = openAiErrorBody(timeoutAware(err), c.log)
        await write(event(errorBody)).catch(() => undefined)
      }
    } finally {
      await batches.return(undefined).catch(() => undefined)
      cleanup()
    }
  })
}

/** Stands in for the text while a shape's chunk is serialised once (if it also occurs elsewhere, events are built whole). */
const TEXT_MARK = '\u0000text\u0000'

/**
 * The SSE event of a text chunk, built from the shape's JSON split around the text: one
 * `JSON.stringify` of the text per event instead of the whole chunk object.
 */
function textEventOf(shape: ResponseShape): (text: string) => string {
  const mark = JSON.stringify(TEXT_MARK)
  const json = JSON.stringify(shape.chunk(TEXT_MARK, null))
  const at = json.indexOf(mark)
  if (at < 0 || json.indexOf(mark, at + 1) >= 0) return (text) => event(shape.chunk(text, null))
  const before = `data: ${json.slice(0, at)}`
  const after = `${json.slice(at + mark.length)}\n\n`
  return (text) => before + JSON.stringify(text) + after
}

/** One SSE event carrying JSON. */
function event(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`
}

function usageOf(last: GenerationChunk | undefined): GenerationResult['usage'] {
  const prompt = last?.usage?.promptTokens ?? 0
  const completion = last?.usage?.completionTokens ?? 0
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}
