/**
 * Benchmark: node-llama-cpp called directly vs through LlamaCppEngine, same tiny model, same threads,
 * same sampling (temperature 0.8, no top-k/top-p). Prints time-to-first-token and decode tokens/s.
 * Run: npx tsx bench/inference-engine.ts [--threads 1] [--tokens 128] [--runs 5]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Token } from 'node-llama-cpp'
import { createTinyLlama, type GgufTensorType, writeGguf } from '../src/gguf/index.ts'
import { createInferenceEngine, sharedLlamaRuntime } from '../src/inference/index.ts'
import { QUICK, reportGoals, times } from './goals.ts'

/** Settings of one benchmark run. */
export interface BenchEngineOptions {
  nEmbd?: number
  nLayer?: number
  nHead?: number
  type?: GgufTensorType
  threads?: number
  /** Tokens generated per run. */
  tokens?: number
  /** Approximate prompt length in tokens. */
  promptTokens?: number
  /** Measured runs per side (after one warm-up); the median is reported. */
  runs?: number
}

/** Median figures of one side. */
export interface BenchSide {
  ttftMs: number
  /** Decode rate after the first token. */
  tokensPerSecond: number
}

/** Result of `benchEngineDirect`. */
export interface BenchEngineResult {
  settings: Required<BenchEngineOptions>
  direct: BenchSide
  engine: BenchSide
  /** engine tokens/s ÷ direct tokens/s (1 = no overhead). */
  throughputRatio: number
  /** engine TTFT ÷ direct TTFT. */
  ttftRatio: number
}

/** Measures the engine's overhead over calling node-llama-cpp's sequence.evaluate directly. */
export async function benchEngineDirect(options: BenchEngineOptions = {}): Promise<BenchEngineResult> {
  const settings: Required<BenchEngineOptions> = {
    nEmbd: 256,
    nLayer: 4,
    nHead: 8,
    type: 'Q8_0',
    threads: 1,
    tokens: 128,
    promptTokens: 64,
    runs: 9,
    ...options,
  }
  const dir = await mkdtemp(join(tmpdir(), 'commons-bench-'))
  try {
    const path = join(dir, 'bench.gguf')
    await writeGguf(
      path,
      createTinyLlama({
        seed: 1,
        nEmbd: settings.nEmbd,
        nLayer: settings.nLayer,
        nHead: settings.nHead,
        type: settings.type,
      }),
    )
    const llama = await sharedLlamaRuntime()
    const contextSize = 512
    // Different prompts per run so neither side profits from a cached prefix.
    const promptText = (run: number): string =>
      `run ${run}: ${'the quick brown fox '.repeat(8)}`.slice(0, settings.promptTokens)

    const model = await llama.loadModel({ modelPath: path })
    const context = await model.createContext({ contextSize, sequences: 1, threads: settings.threads })
    const sequence = context.getSequence()
    const engine = await createInferenceEngine(
      { path, contentRoot: 'bench' },
      { threads: settings.threads, sequences: 1, contextSize },
      { llama },
    )
    const direct: Array<[number, number]> = []
    const viaEngine: Array<[number, number]> = []
    try {
      // Interleaved so that load from other processes hits both sides alike; run 0 is a warm-up.
      for (let run = 0; run <= settings.runs; run++) {
        await sequence.clearHistory()
        const prompt = [model.tokens.bos!, ...model.tokenize(promptText(run))]
        let started = performance.now()
        let first = 0
        let n = 0
        for await (const _token of sequence.evaluate(prompt as Token[], {
          temperature: 0.8,
          seed: run,
          topK: 0,
          topP: 1,
          yieldEogToken: true,
        })) {
          if (n === 0) first = performance.now()
          if (++n === settings.tokens) break
        }
        if (run > 0) direct.push(timing(started, first, performance.now(), n))

        started = performance.now()
        n = 0
        for await (const _chunk of engine.generate({
          prompt: promptText(run),
          maxTokens: settings.tokens,
          temperature: 0.8,
          seed: run,
          ignoreEos: true,
        })) {
          if (n === 0) first = performance.now()
          n++
        }
        if (run > 0) viaEngine.push(timing(started, first, performance.now(), n))
      }
    } finally {
      await engine.dispose()
      await context.dispose()
      await model.dispose()
    }

    const d = summarize(direct)
    const e = summarize(viaEngine)
    return {
      settings,
      direct: d,
      engine: e,
      throughputRatio: e.tokensPerSecond / d.tokensPerSecond,
      ttftRatio: e.ttftMs / d.ttftMs,
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function timing(started: number, first: number, end: number, tokens: number): [number, number] {
  return [first - started, ((tokens - 1) * 1000) / (end - first)]
}

function summarize(samples: Array<[number, number]>): BenchSide {
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b)
    return s[Math.floor(s.length / 2)]!
  }
  return { ttftMs: median(samples.map((s) => s[0])), tokensPerSecond: median(samples.map((s) => s[1])) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      threads: { type: 'string' },
      tokens: { type: 'string' },
      runs: { type: 'string' },
      type: { type: 'string' },
      embd: { type: 'string' },
      layers: { type: 'string' },
    },
  })
  const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v))
  const result = await benchEngineDirect({
    ...(QUICK && { runs: 2, tokens: 48 }),
    ...(values.threads && { threads: num(values.threads) }),
    ...(values.tokens && { tokens: num(values.tokens) }),
    ...(values.runs && { runs: num(values.runs) }),
    ...(values.type && { type: values.type as GgufTensorType }),
    ...(values.embd && { nEmbd: num(values.embd) }),
    ...(values.layers && { nLayer: num(values.layers) }),
  })
  const s = result.settings
  console.log(
    `model: tiny llama ${s.type} nEmbd=${s.nEmbd} nLayer=${s.nLayer}, threads=${s.threads}, ` +
      `prompt≈${s.promptTokens} tokens, ${s.tokens} generated, median of ${s.runs} runs`,
  )
  console.log(
    `direct node-llama-cpp: TTFT ${result.direct.ttftMs.toFixed(1)} ms, ${result.direct.tokensPerSecond.toFixed(1)} tok/s`,
  )
  console.log(
    `LlamaCppEngine:        TTFT ${result.engine.ttftMs.toFixed(1)} ms, ${result.engine.tokensPerSecond.toFixed(1)} tok/s`,
  )
  console.log(
    `ratio engine/direct:   throughput ${result.throughputRatio.toFixed(3)}, TTFT ${result.ttftRatio.toFixed(3)}`,
  )
  reportGoals([
    {
      bench: 'inference-engine',
      goal: 'LlamaCppEngine tok/s vs node-llama-cpp direct >= 0.97x',
      figure: times(result.throughputRatio),
      met: result.throughputRatio >= 0.97,
    },
  ])
}
