/**
 * Throughput under load, one node: 1, 4, 16 and 64 concurrent streams against the node's /v1 (HTTP + SSE,
 * client in a worker thread) against llama.cpp's own batched decoding of the same sequences
 * (node-llama-cpp, as many sequences as streams in one context, same threads) in the same process. Prints
 * aggregate tokens/s of each, the ratio, time to first token p50/p95 and refusals (429/503).
 * Run: npx tsx bench/serving.ts [--threads 1] [--sequences 16] [--queue 64] [--tokens 64] [--levels 1,4,16,64]
 */
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { LlamaContextSequence, Token } from 'node-llama-cpp'
import { openAiRoutes } from '../src/api/openai/index.ts'
import { createTinyLlama, writeGguf } from '../src/gguf/index.ts'
import {
  createInferenceEngine,
  createInferenceService,
  LoadedModels,
  StaticModelResolver,
  sharedLlamaRuntime,
} from '../src/inference/index.ts'
import { silentLogger } from '../src/log.ts'
import { QUICK, reportGoals, times } from './goals.ts'
import { SseClient } from './sse-client.ts'

const ROOT = `0x${'be'.repeat(32)}`
const RESOLVER = new StaticModelResolver([
  { modelName: 'bench', modelId: '1', versionId: '1', contentRoot: ROOT, created: 0 },
])

/** One concurrency level's figures. */
export interface ServingRow {
  streams: number
  directTokensPerSecond: number
  apiTokensPerSecond: number
  ttftP50Ms: number
  ttftP95Ms: number
  refused: number
  completed: number
}

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!
}

const promptOf = (i: number): string => `stream ${i}: ${'the quick brown fox '.repeat(6)}`.slice(0, 48)

/** llama.cpp's own batching: `n` sequences of one context decode together (node-llama-cpp batches them). */
async function directBatch(
  model: Awaited<ReturnType<Awaited<ReturnType<typeof sharedLlamaRuntime>>['loadModel']>>,
  n: number,
  tokens: number,
  threads: number,
  contextPerSequence: number,
): Promise<number> {
  const context = await model.createContext({ contextSize: contextPerSequence * n, sequences: n, threads })
  try {
    const sequences: LlamaContextSequence[] = Array.from({ length: n }, () => context.getSequence())
    const started = performance.now()
    const counts = await Promise.all(
      sequences.map(async (sequence, i) => {
        let k = 0
        const prompt = [model.tokens.bos!, ...model.tokenize(promptOf(i))]
        for await (const _ of sequence.evaluate(prompt as Token[], {
          temperature: 0.8,
          seed: i,
          topK: 0,
          topP: 1,
          yieldEogToken: true,
        })) {
          if (++k === tokens) break
        }
        return k
      }),
    )
    return (counts.reduce((a, b) => a + b, 0) * 1000) / (performance.now() - started)
  } finally {
    await context.dispose()
  }
}

/**
 * Runs the serving benchmark: per concurrency level, llama.cpp batched decoding, then the node's /v1.
 * @example const rows = await runServingBench({ levels: [1, 16] })
 */
export async function runServingBench(
  options: { threads?: number; sequences?: number; queue?: number; tokens?: number; levels?: number[] } = {},
): Promise<{ rows: ServingRow[]; settings: Record<string, number> }> {
  const threads = options.threads ?? 1
  const sequences = options.sequences ?? 16
  const queue = options.queue ?? 64
  const tokens = options.tokens ?? 64
  const levels = options.levels ?? [1, 4, 16, 64]
  const contextPerSequence = 256
  const dir = await mkdtemp(join(tmpdir(), 'commons-bench-serving-'))
  const client = new SseClient()
  try {
    const path = join(dir, 'bench.gguf')
    await writeGguf(path, createTinyLlama({ seed: 1, nEmbd: 256, nLayer: 4, nHead: 8, type: 'Q8_0' }))
    const llama = await sharedLlamaRuntime()
    const model = await llama.loadModel({ modelPath: path })
    const engine = await createInferenceEngine(
      { path, contentRoot: ROOT },
      { threads, sequences, contextSize: contextPerSequence * sequences },
      { llama },
    )
    const localModels = new LoadedModels()
    localModels.set(ROOT, engine)
    const service = createInferenceService(
      { maxInFlightPerModel: queue },
      { resolver: RESOLVER, localModels, log: silentLogger },
    )
    await service.start()
    const app = new Hono().route(
      '/v1',
      openAiRoutes({}, { inference: service, apiKeys: 'open', log: silentLogger }),
    )
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
    })
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/completions`
    const streams = (bodies: string[]) => client.run(url, bodies)
    const bodiesFor = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({
          model: 'bench',
          prompt: promptOf(i),
          max_tokens: tokens,
          temperature: 0.8,
          seed: i,
          stream: true,
          stream_options: { include_usage: true },
        }),
      )
    const rows: ServingRow[] = []
    try {
      await streams(bodiesFor(2)) // warm up the HTTP path and the engine
      await directBatch(model, 2, 8, threads, contextPerSequence)
      for (const n of levels) {
        const direct = await directBatch(model, n, tokens, threads, contextPerSequence)
        const results = await streams(bodiesFor(n))
        const done = results.filter((r) => r.status === 200 && r.arrivals.length > 0)
        const start = Math.min(...results.map((r) => r.started))
        const end = Math.max(...done.map((r) => r.end))
        const total = done.reduce((a, r) => a + r.tokens, 0)
        rows.push({
          streams: n,
          directTokensPerSecond: direct,
          apiTokensPerSecond: (total * 1000) / (end - start),
          ttftP50Ms: percentile(
            done.map((r) => r.arrivals[0]! - r.started),
            50,
          ),
          ttftP95Ms: percentile(
            done.map((r) => r.arrivals[0]! - r.started),
            95,
          ),
          refused: results.filter((r) => r.status === 429 || r.status === 503).length,
          completed: done.length,
        })
      }
    } finally {
      await service.stop()
      ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
      await new Promise((r) => server.close(r))
      await engine.dispose()
      await model.dispose()
    }
    return { rows, settings: { threads, sequences, queue, tokens } }
  } finally {
    await client.close()
    await rm(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      threads: { type: 'string' },
      sequences: { type: 'string' },
      queue: { type: 'string' },
      tokens: { type: 'string' },
      levels: { type: 'string' },
    },
  })
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v))
  const { rows, settings } = await runServingBench({
    threads: num(values.threads),
    sequences: num(values.sequences),
    queue: num(values.queue),
    tokens: num(values.tokens) ?? (QUICK ? 32 : undefined),
    levels: values.levels?.split(',').map(Number),
  })
  console.log(
    `model: tiny llama Q8_0 nEmbd=256 nLayer=4; node: threads=${settings.threads}, sequences=${settings.sequences}, queue=${settings.queue} per model; ${settings.tokens} tokens per stream; load average ${loadavg()[0]!.toFixed(2)}`,
  )
  console.log(
    `${'streams'.padStart(7)}  ${'llama.cpp batched tok/s'.padStart(23)}  ${'/v1 tok/s'.padStart(9)}  ${'ratio'.padStart(6)}  ${'TTFT p50 ms'.padStart(11)}  ${'TTFT p95 ms'.padStart(11)}  ${'refused'.padStart(7)}  ${'completed'.padStart(9)}`,
  )
  for (const r of rows) {
    console.log(
      `${String(r.streams).padStart(7)}  ${r.directTokensPerSecond.toFixed(0).padStart(23)}  ${r.apiTokensPerSecond.toFixed(0).padStart(9)}  ${times(r.apiTokensPerSecond / r.directTokensPerSecond).padStart(6)}  ${r.ttftP50Ms.toFixed(1).padStart(11)}  ${r.ttftP95Ms.toFixed(1).padStart(11)}  ${String(r.refused).padStart(7)}  ${String(r.completed).padStart(9)}`,
    )
  }
  const at16 = rows.find((r) => r.streams === 16)
  if (at16 !== undefined) {
    const x = at16.apiTokensPerSecond / at16.directTokensPerSecond
    reportGoals([
      {
        bench: 'serving',
        goal: '16 streams: /v1 aggregate tok/s vs llama.cpp batched >= 0.8x',
        figure: times(x),
        met: x >= 0.8,
      },
    ])
  }
  process.exit(0)
}
