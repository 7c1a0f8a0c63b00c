import { access } from 'node:fs/promises'
import { basename } from 'node:path'
import type {
  Llama,
  LlamaContext,
  LlamaContextSequence,
  LlamaEmbeddingContext,
  LlamaModel,
  Token,
} from 'node-llama-cpp'
import { AbortedError, InvalidInputError, throwIfAborted } from '../../errors.ts'
import { type Logger, silentLogger } from '../../log.ts'
import type {
  ChatMessage,
  ChatPrompt,
  GenerateRequest,
  GenerationChunk,
  InferenceEngine,
  LlamaCppEngineComponents,
  LlamaCppEngineInit,
  ModelInfo,
  ModelSource,
  TokenizeOptions,
} from '../index.ts'
import { type ChatTemplate, chatTemplateFor } from './chat-template.ts'
import {
  DEFAULT_CONTEXT_SIZE,
  DEFAULT_MAX_TOKENS,
  DEFAULT_SEQUENCES,
  DETOKENIZE_CONTEXT_TOKENS,
  EMBEDDING_CONTEXT_SIZE,
  READ_AHEAD_CHUNKS,
} from './constants.ts'
import { defaultThreads } from './default-threads.ts'
import {
  ContextOverflowError,
  EngineDisposedError,
  ModelFileNotFoundError,
  ModelLoadError,
  SamplingError,
} from './errors.ts'
import { sharedLlamaRuntime } from './llama-runtime.ts'
import { PositionSampler } from './position-sampler.ts'
import { positionSeed, randomSeed } from './position-seed.ts'
import { readAhead } from './read-ahead.ts'
import { SequencePool } from './sequence-pool.ts'
import { TokenTextStream } from './token-text-stream.ts'

/** Sampler settings of one generation, resolved from the request. */
interface Sampling {
  temperature: number
  topP: number
  topK: number
  seed: number
}

/**
 * `InferenceEngine` on llama.cpp through node-llama-cpp: one model, one context with N sequences
 * (N concurrent generations, the rest queue), explicit thread count, and token-by-token sampling
 * with position-derived seeds so that any generation can be resumed exactly on another engine.
 */
export class LlamaCppEngine implements InferenceEngine {
  readonly info: ModelInfo
  private readonly pool: SequencePool<LlamaContextSequence>
  private embeddingContext: Promise<LlamaEmbeddingContext> | undefined
  private embedQueue: Promise<unknown> = Promise.resolve()
  private disposing: Promise<void> | undefined

  private constructor(
    source: ModelSource,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chatTemplate: ChatTemplate,
    private readonly threads: number,
    private readonly log: Logger,
  ) {
    const metadata = model.fileInfo.metadata
    this.info = {
      contentRoot: source.contentRoot,
      name: metadata.general?.name ?? basename(source.path),
      architecture: String(metadata.general?.architecture ?? 'unknown'),
      contextSize: context.contextSize,
      trainContextSize: model.trainContextSize,
      embeddingSize: model.embeddingVectorSize,
      vocabularySize: vocabularySizeOf(model),
      parallelSequences: context.totalSequences,
      chatTemplate: chatTemplate.kind,
    }
    this.pool = new SequencePool(Array.from({ length: context.totalSequences }, () => context.getSequence()))
  }

  /** Loads the model file and creates its context. */
  static async load(
    source: ModelSource,
    init: LlamaCppEngineInit = {},
    components: LlamaCppEngineComponents = {},
  ): Promise<LlamaCppEngine> {
    const log = (components.log ?? silentLogger).child({
      component: 'inference',
      contentRoot: source.contentRoot,
    })
    throwIfAborted(init.signal)
    try {
      await access(source.path)
    } catch (cause) {
      throw new ModelFileNotFoundError(`No model file at ${source.path}; fetch and verify the model first.`, {
        cause,
        details: { path: source.path, contentRoot: source.contentRoot },
      })
    }
    const llama: Llama = components.llama ?? (await sharedLlamaRuntime())
    const threads = init.threads ?? defaultThreads()
    const started = performance.now()
    let model: LlamaModel
    try {
      model = await llama.loadModel({ modelPath: source.path, loadSignal: init.signal })
    } catch (cause) {
      if (init.signal?.aborted === true) throw new AbortedError('Loading the model was aborted.', { cause })
      throw new ModelLoadError(`llama.cpp could not load ${source.path}: ${errorMessage(cause)}`, { cause })
    }
    try {
      const context = await model.createContext({
        contextSize: init.contextSize ?? Math.min(model.trainContextSize, DEFAULT_CONTEXT_SIZE),
        sequences: init.sequences ?? DEFAULT_SEQUENCES,
        threads,
        batchSize: init.batchSize,
        createSignal: init.signal,
      })
      const engine = new LlamaCppEngine(source, model, context, chatTemplateFor(model), threads, log)
      log.info(
        { ms: Math.round(performance.now() - started), threads, ...engine.info },
        'inference:model:loaded',
      )
      return engine
    } catch (cause) {
      await model.dispose()
      if (init.signal?.aborted === true) throw new AbortedError('Loading the model was aborted.', { cause })
      throw new ModelLoadError(
        `Could not create a llama.cpp context for ${source.path}: ${errorMessage(cause)}`,
        {
          cause,
        },
      )
    }
  }

  get disposed(): boolean {
    return this.disposing !== undefined
  }

  generate(request: GenerateRequest): AsyncIterable<GenerationChunk> {
    return readAhead(this.run(request, []), READ_AHEAD_CHUNKS, request.signal)
  }

  resume(request: GenerateRequest, generated: readonly number[]): AsyncIterable<GenerationChunk> {
    return readAhead(this.run(request, generated), READ_AHEAD_CHUNKS, request.signal)
  }

  async applyChatTemplate(messages: readonly ChatMessage[]): Promise<ChatPrompt> {
    this.ensureOpen()
    return this.chatTemplate.render(messages)
  }

  async tokenize(text: string, options: TokenizeOptions = {}): Promise<number[]> {
    this.ensureOpen()
    return this.tokenizeNow(text, options)
  }

  async detokenize(tokens: readonly number[]): Promise<string> {
    this.ensureOpen()
    return this.model.detokenize(tokens as readonly Token[], false)
  }

  embed(text: string, options: { signal?: AbortSignal } = {}): Promise<Float32Array> {
    this.ensureOpen()
    // One embedding context, used by one request at a time.
    const result = this.embedQueue.then(async () => {
      throwIfAborted(options.signal)
      this.ensureOpen()
      this.embeddingContext ??= this.model.createEmbeddingContext({
        contextSize: Math.min(EMBEDDING_CONTEXT_SIZE, this.info.contextSize),
        threads: this.threads,
      })
      const embedding = await (await this.embeddingContext).getEmbeddingFor(text)
      return Float32Array.from(embedding.vector)
    })
    this.embedQueue = result.catch(() => undefined)
    return result
  }

  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      this.pool.close()
      const embedding = this.embeddingContext
      this.embeddingContext = undefined
      if (embedding !== undefined) await (await embedding.catch(() => undefined))?.dispose()
      await this.context.dispose()
      await this.model.dispose()
      this.log.info('inference:model:unloaded')
    })()
    return this.disposing
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose()
  }

  private async *run(
    request: GenerateRequest,
    generated: readonly number[],
  ): AsyncGenerator<GenerationChunk> {
    this.ensureOpen()
    const { signal } = request
    throwIfAborted(signal)
    const prompt =
      typeof request.prompt === 'string'
        ? this.tokenizeNow(request.prompt, { addBos: true })
        : [...request.prompt]
    if (prompt.length === 0) throw new InvalidInputError('The prompt is empty; give some text or tokens.')
    const input = [...prompt, ...generated]
    // llama.cpp aborts the process on out-of-vocabulary ids, so they never reach it.
    const vocab = this.info.vocabularySize > 0 ? this.info.vocabularySize : Number.POSITIVE_INFINITY
    const bad = input.find((t) => !Number.isInteger(t) || t < 0 || t >= vocab)
    if (bad !== undefined) {
      throw new InvalidInputError(
        `Token ${bad} is not in this model's vocabulary of ${this.info.vocabularySize}; tokenize with this model.`,
      )
    }
    if (input.length >= this.info.contextSize) {
      throw new ContextOverflowError(
        `Prompt and generated tokens (${input.length}) do not fit the context of ${this.info.contextSize} tokens; shorten the prompt.`,
        { details: { tokens: input.length, contextSize: this.info.contextSize } },
      )
    }
    const limit = Math.min(request.maxTokens ?? DEFAULT_MAX_TOKENS, this.info.contextSize - prompt.length)
    const sampling: Sampling = {
      temperature: request.temperature ?? 0,
      topP: request.topP ?? 1,
      topK: request.topK ?? 0,
      seed: request.seed ?? randomSeed(),
    }
    const stream = new TokenTextStream(
      (tokens, lastTokens) => this.model.detokenize(tokens as Token[], false, lastTokens as Token[]),
      request.stop ?? [],
      prompt.slice(-DETOKENIZE_CONTEXT_TOKENS),
    )
    // Replaying what was generated puts the stream exactly where the interrupted run left it.
    let stopped = false
    for (const token of generated) stopped = stream.push(token).stopped || stopped
    let index = generated.length
    const usage = (): GenerationChunk['usage'] => ({ promptTokens: prompt.length, completionTokens: index })
    if (stopped || index >= limit) {
      // The generation was already complete: its last chunk carried the final text, so there is none left.
      yield { index, tokens: [], text: '', finishReason: stopped ? 'stop' : 'length', usage: usage() }
      return
    }

    const sequence = await this.pool.acquire(signal)
    const sampler = new PositionSampler(sequence, this.model, sampling)
    // The next token's decode is started before this token is detokenized and handed on, so that work
    // (and the consumer's) runs while llama.cpp decodes instead of between two decodes.
    let inFlight: Promise<number> | undefined
    try {
      const first = await this.reuseCachedPrefix(sequence, input)
      throwIfAborted(signal)
      this.ensureOpen()
      let next = this.sampleNext(sampler, first, sampling.seed, index)
      inFlight = next
      while (true) {
        const token = await next
        inFlight = undefined
        if (request.ignoreEos !== true && this.model.isEogToken(token as Token)) {
          yield { index, tokens: [], text: stream.finish(), finishReason: 'eos', usage: usage() }
          return
        }
        index++
        if (index < limit) {
          throwIfAborted(signal)
          this.ensureOpen()
          next = this.sampleNext(sampler, [token], sampling.seed, index)
          // Awaited in the next turn, or in `finally` if the generation ends first.
          next.catch(() => undefined)
          inFlight = next
        }
        const step = stream.push(token)
        if (step.stopped) {
          yield { index: index - 1, tokens: [token], text: step.text, finishReason: 'stop', usage: usage() }
          return
        }
        if (index >= limit) {
          const text = step.text + stream.finish()
          yield { index: index - 1, tokens: [token], text, finishReason: 'length', usage: usage() }
          return
        }
        yield { index: index - 1, tokens: [token], text: step.text }
      }
    } finally {
      // The sequence goes back to the pool idle: a decode started ahead (a stop string ended the
      // generation, or the consumer left) finishes first.
      await inFlight?.catch(() => undefined)
      sampler.dispose()
      this.pool.release(sequence)
    }
  }

  /**
   * Keeps the sequence's cached tokens that match `input` and returns the tokens still to evaluate.
   * A short match is not worth it: erasing a long tail leaves the KV cache fragmented, which made the
   * next prompt decode ~3× slower than after a full clear (measured on the tiny models).
   */
  private async reuseCachedPrefix(sequence: LlamaContextSequence, input: number[]): Promise<number[]> {
    const { firstDifferentIndex } = sequence.compareContextTokens(input as Token[])
    // The last input token is always evaluated again: its logits give the next token.
    const keep = Math.min(firstDifferentIndex, input.length - 1)
    if (keep * 2 < input.length) {
      await sequence.clearHistory()
    } else if (keep < sequence.nextTokenIndex) {
      await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }])
    }
    return input.slice(sequence.nextTokenIndex)
  }

  /** Evaluates `tokens` and samples the token at generation position `index` with its own seed. */
  private async sampleNext(
    sampler: PositionSampler,
    tokens: readonly number[],
    seed: number,
    index: number,
  ): Promise<number> {
    let token: number | undefined
    try {
      token = await sampler.next(tokens, positionSeed(seed, index))
    } catch (cause) {
      if (this.disposed)
        throw new EngineDisposedError('The inference engine was disposed during generation.', { cause })
      throw cause
    }
    if (token === undefined) throw new SamplingError(`llama.cpp sampled no token at position ${index}.`)
    return token
  }

  private tokenizeNow(text: string, options: TokenizeOptions): number[] {
    const tokens = this.model.tokenize(text, options.special ?? false)
    const bos = this.model.tokens.bos
    if (options.addBos === true && bos !== null && this.model.tokens.shouldPrependBosToken)
      return [bos, ...tokens]
    return tokens
  }

  private ensureOpen(): void {
    if (this.disposed)
      throw new EngineDisposedError('The inference engine has been disposed; load the model again.')
  }
}

/** Tokens in the vocabulary: the tokenizer's token list, else the embedding matrix's rows, else 0 (unknown). */
function vocabularySizeOf(model: LlamaModel): number {
  const tokens = model.fileInfo.metadata.tokenizer?.ggml?.tokens
  if (Array.isArray(tokens) && tokens.length > 0) return tokens.length
  const embedding = model.fileInfo.tensorInfo?.find((t) => t.name === 'token_embd.weight')
  return Number(embedding?.dimensions[1] ?? 0)
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
