/**
 * Inference: the engine that runs a model file the store has verified. `InferenceEngine` is the
 * contract every implementation (local llama.cpp, a remote peer proxy) fulfils; `createInferenceEngine`
 * builds the local llama.cpp one.
 */
import type { Llama } from 'node-llama-cpp'
import type { Logger } from '../log.ts'
import { LlamaCppEngine } from './engine/llama-cpp-engine.ts'

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
