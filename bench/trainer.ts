/**
 * Training-step benchmark of the built-in trainer: one 16×128 step of the ≈0.92 M-parameter byte llama
 * on the WASM backend against the pure-JS CPU backend (baseline, same run), and training tokens/s.
 * Run: `npx tsx bench/trainer.ts` (prints JSON).
 */
import { loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import * as tf from '@tensorflow/tfjs'
import { DEFAULT_MODEL_CONFIG } from '../src/training/constants.ts'
import {
  BUNDLED_CORPUS_PATH,
  countParams,
  createTfjsTrainer,
  loadCorpus,
  toTokenDataset,
} from '../src/training/index.ts'
import { QUICK, reportGoals, times } from './goals.ts'

/** Figures of one backend. */
export interface TrainerBenchBackendResult {
  backend: 'wasm' | 'cpu'
  /** Wall-clock seconds of each measured step (after one warm-up step). */
  stepSeconds: number[]
  meanStepSeconds: number
  /** Process CPU seconds (user + system) per step: steadier than wall time on a shared machine. */
  cpuSecondsPerStep: number
  tokensPerSecond: number
}

/** What `runTrainerBench` returns. */
export interface TrainerBenchResult {
  params: number
  batchSize: number
  seqLen: number
  results: TrainerBenchBackendResult[]
  /** CPU-backend step time ÷ WASM step time (wall clock). */
  wasmSpeedup: number
  /** Load average when the run started (the machine may be shared). */
  loadAverage: number
}

/** Measures `steps` training steps (plus a warm-up) on each backend. */
export async function runTrainerBench(
  options: { steps?: number; cpuSteps?: number; batchSize?: number; seqLen?: number } = {},
): Promise<TrainerBenchResult> {
  const loadAverage = loadavg()[0]!
  const batchSize = options.batchSize ?? 16
  const seqLen = options.seqLen ?? 128
  const corpus = await loadCorpus(BUNDLED_CORPUS_PATH)
  const data = toTokenDataset(corpus)
  const results: TrainerBenchBackendResult[] = []
  for (const [backend, steps] of [
    ['wasm', options.steps ?? 3],
    ['cpu', options.cpuSteps ?? 1],
  ] as const) {
    await using trainer = await createTfjsTrainer({ seed: 1, backend })
    await trainer.train({ data, steps: 1, batchSize, seqLen, learningRate: 1e-3 })
    const stepSeconds: number[] = []
    const cpuBefore = process.cpuUsage()
    await trainer.train({
      data,
      steps,
      batchSize,
      seqLen,
      learningRate: 1e-3,
      seed: 1,
      onProgress: (() => {
        let last = performance.now()
        return () => {
          const now = performance.now()
          stepSeconds.push((now - last) / 1000)
          last = now
        }
      })(),
    })
    const cpu = process.cpuUsage(cpuBefore)
    const mean = stepSeconds.reduce((a, b) => a + b, 0) / stepSeconds.length
    results.push({
      backend,
      stepSeconds,
      meanStepSeconds: mean,
      cpuSecondsPerStep: (cpu.user + cpu.system) / 1e6 / steps,
      tokensPerSecond: (batchSize * seqLen) / mean,
    })
  }
  await tf.setBackend('wasm')
  return {
    params: countParams(DEFAULT_MODEL_CONFIG),
    batchSize,
    seqLen,
    results,
    wasmSpeedup: results[1]!.meanStepSeconds / results[0]!.meanStepSeconds,
    loadAverage,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await runTrainerBench(QUICK ? { steps: 1 } : {})
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
  reportGoals([
    {
      bench: 'trainer',
      goal: 'WASM training step faster than the pure-JS CPU backend (> 1x)',
      figure: times(result.wasmSpeedup),
      met: result.wasmSpeedup > 1,
    },
  ])
}
