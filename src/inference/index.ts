/**
 * Inference: the engine that runs a model file the store has verified (`InferenceEngine`, built by
 * `createInferenceEngine`), and the node's inference service around it (`createInferenceService`): the
 * engines loaded here, per-model admission, the router (here or on a peer, with failover), the
 * `/commons/infer/1.0.0` peer protocol and the model server. The HTTP layer receives `InferenceApi`.
 */

import type { Llama } from 'node-llama-cpp'
import type { Logger } from '../log.ts'
import type { CommonsHost, PeerDirectory } from '../net/index.ts'
import type { ContentStore } from '../store/index.ts'
import { LlamaCppEngine } from './engine/llama-cpp-engine.ts'
import { sharedLlamaRuntime } from './engine/llama-runtime.ts'
import { DefaultInferenceService } from './inference-service.ts'
import type { GenerationMeter, ServedMeter } from './metering-hooks.ts'
import { LoadFailures } from './models/load-failures.ts'
import type { ModelResolver, ResolvedModel } from './models/model-resolver.ts'
import { StaticModelResolver } from './models/static-model-resolver.ts'
import type { InferenceRouterInit, RouteTarget } from './router/index.ts'
import type { InferHandlerComponents } from './serving/infer-handler.ts'
import type { Embedding, InferenceTask } from './serving/inference-task.ts'
import { LoadedModels } from './serving/local-models.ts'
import { prefetchBatches } from './serving/prefetch.ts'
import { readServingList, updateServingList } from './serving/serving-list.ts'

export { UnloadableModelError } from './engine/errors.ts'
export { checkModelLoads } from './engine/load-check.ts'
export { DEFAULT_EVAL_CONTEXT_SIZE, MAX_EVAL_TEXT_BYTES } from './evaluation/constants.ts'
export { EvaluationDataError } from './evaluation/errors.ts'
export {
  type EvaluateModelOptions,
  evaluateModel,
  type ModelEvaluation,
} from './evaluation/evaluate-model.ts'
export { type PerplexityResult, scorePerplexity } from './evaluation/perplexity.ts'
export {
  buildEvaluationReport,
  type EvaluationReport,
  evaluationReportSchema,
  reportFigures,
} from './evaluation/report.ts'
export {
  type EvaluationSuite,
  evaluationSuiteSchema,
  parseEvaluationSuite,
  runSuite,
  type SuiteResult,
} from './evaluation/suite.ts'
export type { GenerationMeter, MeteredAttempt, ServedMeter } from './metering-hooks.ts'
export type { LoadFailure } from './models/load-failures.ts'
export { type ModelResolver, parseModelRef, type ResolvedModel } from './models/model-resolver.ts'
export { notFound as modelNotFound } from './models/static-model-resolver.ts'
export type { FailoverEvent, InferenceRouterInit, RouteTarget } from './router/index.ts'
export type { Embedding, InferenceInput, InferenceTask, SamplingParams } from './serving/inference-task.ts'
export type { LocalModels } from './serving/local-models.ts'
export {
  LoadedModels,
  LoadFailures,
  prefetchBatches,
  readServingList,
  StaticModelResolver,
  sharedLlamaRuntime,
  updateServingList,
}

/** A model file on disk that the store has verified against `contentRoot`. */
export interface ModelSource {
  /** Absolute path of the GGUF file. */
  path: string
  /** Content root the file was verified against; the model's identity across the network. */
  contentRoot: string
}

/** What an engine knows about the model it serves. */
export interface ModelInfo {
  contentRoot: string
  /** `general.name`, or the file name. */
  name: string
  /** `general.architecture`, e.g. `llama`. */
  architecture: string
  /** Tokens one generation can hold (prompt + output). */
  contextSize: number
  /** Context length the model was trained with. */
  trainContextSize: number
  /** Length of the vectors `embed` returns. */
  embeddingSize: number
  vocabularySize: number
  /** Generations that run at once; further requests queue. */
  parallelSequences: number
  /** `model` = the chat template in the GGUF (via llama.cpp/node-llama-cpp); `fixed` = the built-in one. */
  chatTemplate: 'model' | 'fixed'
}

/** Sampling and stopping options of one generation. */
export interface GenerateOptions {
  /** Upper bound on generated tokens, counted from the start of the generation (also when resuming). Default 256. */
  maxTokens?: number
  /** 0 = greedy (default). */
  temperature?: number
  /** Nucleus sampling; 1 disables it (default). */
  topP?: number
  /** Top-k sampling; 0 disables it (default). */
  topK?: number
  /**
   * Sampling seed. Token i is sampled with a seed derived from (seed, i) only, so the same request
   * gives the same output and can be resumed elsewhere. Without a seed a random one is drawn, and a
   * sampled (temperature > 0) generation cannot be resumed exactly.
   */
  seed?: number
  /** Generation ends before the first occurrence of any of these strings. */
  stop?: readonly string[]
  /** Keep generating past end-of-generation tokens (benchmarks). */
  ignoreEos?: boolean
  signal?: AbortSignal
}

/** A generation request: a text prompt (tokenized with BOS when the model wants it) or prompt tokens. */
export interface GenerateRequest extends GenerateOptions {
  prompt: string | readonly number[]
}

/** Why a generation ended. */
export type FinishReason = 'stop' | 'length' | 'eos'

/** One step of a generation stream. */
export interface GenerationChunk {
  /** Position in the generation (0-based) of the first token in `tokens`. */
  index: number
  /** Tokens generated in this step; resume with all tokens received so far. */
  tokens: number[]
  /** Text released in this step (may be empty while a UTF-8 sequence or a possible stop string is pending). */
  text: string
  /** Set on the last chunk. */
  finishReason?: FinishReason
  /** Set on the last chunk. */
  usage?: { promptTokens: number; completionTokens: number }
  /** Set on the last chunk of a paid request served by a peer: its signed receipt (checked by the meter). */
  receipt?: unknown
}

/** A chat message. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

/** A chat rendered for generation: prompt tokens and the stop strings the template implies. */
export interface ChatPrompt {
  prompt: number[]
  stop: string[]
}

/** Options of `tokenize`. */
export interface TokenizeOptions {
  /** Prepend BOS when the model wants it. Default false. */
  addBos?: boolean
  /** Parse special-token text such as `<s>` into special tokens. Default false. */
  special?: boolean
}

/** Runs one model: generation, resumption, tokenization, chat templating and embeddings. */
export interface InferenceEngine extends AsyncDisposable {
  readonly info: ModelInfo
  readonly disposed: boolean
  /**
   * Generates from a prompt as a stream of one-token chunks. Throws AbortedError when the signal fires.
   * @example
   * for await (const chunk of engine.generate({ prompt: 'Hello', maxTokens: 32, seed: 1 })) out += chunk.text
   */
  generate(request: GenerateRequest): AsyncIterable<GenerationChunk>
  /**
   * Continues a generation of which `generated` tokens were already produced (by any engine serving
   * the same model): yields the chunks from index `generated.length` on, exactly as the uninterrupted
   * `generate(request)` would have.
   */
  resume(request: GenerateRequest, generated: readonly number[]): AsyncIterable<GenerationChunk>
  /** Renders chat messages with the model's template (or the fixed one) ready to generate the reply. */
  applyChatTemplate(messages: readonly ChatMessage[]): Promise<ChatPrompt>
  tokenize(text: string, options?: TokenizeOptions): Promise<number[]>
  /** Text of tokens; special tokens render as nothing. */
  detokenize(tokens: readonly number[]): Promise<string>
  /** Embedding vector of a text (length `info.embeddingSize`). */
  embed(text: string, options?: { signal?: AbortSignal }): Promise<Float32Array>
  /** Frees native memory; safe to call more than once. */
  dispose(): Promise<void>
}

/** Options of the llama.cpp engine. */
export interface LlamaCppEngineInit {
  /** CPU threads per evaluation. Default min(2, cores): more oversubscribes small machines. */
  threads?: number
  /** Parallel sequences (concurrent generations). Default 2. */
  sequences?: number
  /** Tokens per sequence. Default min(train context, 2048). */
  contextSize?: number
  /** Max tokens per decode batch. Default node-llama-cpp's. */
  batchSize?: number
  signal?: AbortSignal
}

/** What the llama.cpp engine needs from the node. */
export interface LlamaCppEngineComponents {
  /** Shared llama.cpp runtime; by default one CPU runtime per process. */
  llama?: Llama
  log?: Logger
}

/**
 * Loads a verified model file into a llama.cpp engine.
 * @example
 * await using engine = await createInferenceEngine({ path, contentRoot }, { threads: 2, sequences: 4 })
 */
export function createInferenceEngine(
  source: ModelSource,
  init: LlamaCppEngineInit = {},
  components: LlamaCppEngineComponents = {},
): Promise<InferenceEngine> {
  return LlamaCppEngine.load(source, init, components)
}

/** Where generations run (the router: a local engine, or peers with failover). */
export interface InferenceBackend {
  generate(
    target: RouteTarget,
    task: InferenceTask,
    /** `consumer`: on whose behalf (a serving peer applies the model's usage policy to it). */
    options: { signal?: AbortSignal; consumer?: `0x${string}` },
  ): AsyncIterable<GenerationChunk>
  embed(
    target: RouteTarget,
    input: string,
    options: { signal?: AbortSignal; consumer?: `0x${string}` },
  ): Promise<Embedding>
  /** True when this node or a known peer serves the target now. */
  available(target: RouteTarget): boolean
}

/** What the HTTP layer (the OpenAI routes) gets of the inference service: no libp2p, no engines. */
export interface InferenceApi {
  /** Resolves OpenAI `model` strings to published versions. */
  resolver: ModelResolver
  /** Runs generations and embeddings here or on peers. */
  router: InferenceBackend
  /** Per-model bound on requests in progress or waiting (ModelBusyError beyond it). */
  admission: { admit(contentRoot: string): () => void }
  /** This node's inference load 0–1. */
  load(): number
}

/** The node's inference service; `start` registers the peer protocol and starts the model server, `stop` undoes both. */
export interface InferenceService extends InferenceApi {
  /** The engines loaded on this node, by content root. */
  readonly localModels: LoadedModels
  start(): Promise<void>
  stop(): Promise<void>
  /** Brings the loaded engines in line with the serving list and the registry now (serialized). */
  refresh(): Promise<void>
  /** The `serves` entries to announce: the model versions the model server loaded here. */
  serves(): { model: string; version: string }[]
  /** The model versions loaded here, with names and roots. */
  serving(): ResolvedModel[]
  /** Published versions that did not load here, and why (the previous version keeps serving). */
  readonly failures: LoadFailures
}

/** Options of the inference service. */
export interface InferenceServiceInit {
  /** Requests per model in progress or waiting, from /v1 and peers alike. Default DEFAULT_MAX_IN_FLIGHT_PER_MODEL. */
  maxInFlightPerModel?: number
  /** How often a request queued here for a peer is reported to it before its first chunk (ms). */
  queueProgressMs?: number
  /** Least time between two chunk frames sent to a peer (ms). Default CHUNK_COALESCE_MS; 0: a frame per chunk. */
  chunkCoalesceMs?: number
  /** Retry-After hint (s) of a ModelBusyError. Default DEFAULT_RETRY_AFTER_SECONDS. */
  retryAfterSeconds?: number
  /** Timeouts and hooks of the router. */
  router?: InferenceRouterInit
  /** The node's serving list file and the folder of assembled GGUF files. Without them (or a store) no model server runs. */
  paths?: { servingList: string; models: string }
  /** How often the model server re-checks the serving list and the registry (ms). */
  refreshMs?: number
  /** llama.cpp threads per served model. */
  threads?: number
  /** Parallel sequences per served model. */
  sequences?: number
}

/** What the inference service needs from the node. Without host and directory it serves local models only. */
export interface InferenceServiceComponents {
  resolver: ModelResolver
  log: Logger
  host?: Pick<CommonsHost, 'peerId' | 'dial' | 'handle' | 'unhandle' | 'connectedPeers'>
  directory?: PeerDirectory
  /** Engines loaded by the caller (tests, benchmarks); the model server adds to them. */
  localModels?: LoadedModels
  /** Where served models' weights are; with `fetch` and `init.paths`, enables the model server. */
  store?: Pick<ContentStore, 'has' | 'missingChunks' | 'export'>
  /** Gets a content root into the store from peers. */
  fetch?(root: string): Promise<unknown>
  /** Loads a served model; by default a llama.cpp engine with `init.threads` and `init.sequences`. */
  createEngine?(source: ModelSource): Promise<InferenceEngine>
  /** Shared llama.cpp runtime of the default engines. */
  llama?: Llama
  /** Called after the first model refresh (e.g. to announce what this node serves). */
  onServingChanged?(): unknown
  /** Where load failures are recorded (shared with the resolver, which skips failed roots); default a new one. */
  failures?: LoadFailures
  /** Applies the models' usage policy to what peers ask on behalf of consumers (infer-handler.ts). */
  admitPeerRequest?: InferHandlerComponents['admit']
  /** Meters what this node's consumers are served (paid models); absent: nothing is metered. */
  meter?: GenerationMeter
  /** Signs receipts for paid requests peers ask this node to serve. */
  servedMeter?: ServedMeter
}

/**
 * Builds the node's inference service.
 * @example
 * const inference = createInferenceService({ paths: { servingList, models } }, { host, directory, resolver, store, fetch, log })
 * await inference.start(); app.route('/v1', openAiRoutes({}, { inference, apiKeys, log }))
 */
export function createInferenceService(
  init: InferenceServiceInit,
  components: InferenceServiceComponents,
): InferenceService {
  return new DefaultInferenceService(init, components)
}
