import { createHash } from 'node:crypto'
import type { Llama } from 'node-llama-cpp'
import { defaultThreads } from '../engine/default-threads.ts'
import { ModelLoadError } from '../engine/errors.ts'
import { LlamaCppEngine } from '../engine/llama-cpp-engine.ts'
import { sharedLlamaRuntime } from '../engine/llama-runtime.ts'
import type { ModelSource } from '../index.ts'
import { DEFAULT_EVAL_CONTEXT_SIZE } from './constants.ts'
import { type PerplexityResult, scorePerplexity } from './perplexity.ts'
import { type EvaluationSuite, runSuite, type SuiteResult } from './suite.ts'

/** What one evaluation run measured. */
export interface ModelEvaluation {
  contentRoot: string
  /** sha256 and size of the held-out text, so a run can be repeated on the same data. */
  data: { sha256: string; bytes: number }
  perplexity: PerplexityResult
  suites: SuiteResult[]
}

/** Options of an evaluation run. */
export interface EvaluateModelOptions {
  llama?: Llama
  threads?: number
  /** Tokens per perplexity window. Default DEFAULT_EVAL_CONTEXT_SIZE (capped by the model's training context). */
  contextSize?: number
  signal?: AbortSignal
}

/**
 * Runs a model file with llama.cpp over a held-out text (perplexity) and through evaluation suites.
 * @example
 * const run = await evaluateModel({ path, contentRoot }, { text, suites: [refusals] }, { threads: 2 })
 */
export async function evaluateModel(
  source: ModelSource,
  input: { text: string; suites: readonly EvaluationSuite[] },
  opts: EvaluateModelOptions = {},
): Promise<ModelEvaluation> {
  const llama = opts.llama ?? (await sharedLlamaRuntime())
  const threads = opts.threads ?? defaultThreads()
  const perplexity = await measurePerplexity(llama, source, input.text, { ...opts, threads })
  const suites: SuiteResult[] = []
  if (input.suites.length > 0) {
    await using engine = await LlamaCppEngine.load(
      source,
      { threads, sequences: 1, signal: opts.signal },
      { llama },
    )
    for (const suite of input.suites) suites.push(await runSuite(engine, suite, { signal: opts.signal }))
  }
  const bytes = Buffer.from(input.text, 'utf8')
  return {
    contentRoot: source.contentRoot,
    data: { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.byteLength },
    perplexity,
    suites,
  }
}

async function measurePerplexity(
  llama: Llama,
  source: ModelSource,
  text: string,
  opts: EvaluateModelOptions & { threads: number },
): Promise<PerplexityResult> {
  let model: Awaited<ReturnType<Llama['loadModel']>>
  try {
    model = await llama.loadModel({ modelPath: source.path, loadSignal: opts.signal })
  } catch (cause) {
    throw new ModelLoadError(`llama.cpp could not load ${source.path}: ${(cause as Error).message}`, {
      cause,
    })
  }
  try {
    const contextSize = Math.min(model.trainContextSize, opts.contextSize ?? DEFAULT_EVAL_CONTEXT_SIZE)
    const context = await model.createContext({ contextSize, sequences: 1, threads: opts.threads })
    try {
      return await scorePerplexity(model, context.getSequence(), text, { contextSize, signal: opts.signal })
    } finally {
      await context.dispose()
    }
  } finally {
    await model.dispose()
  }
}
