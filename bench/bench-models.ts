// The generated models the benchmarks run: a tiny one, whose tokens cost about a millisecond so any per-token
// overhead shows, and a realistic one, whose tokens cost what a small real LLM's do on this CPU (tens of ms),
// cached between runs since it takes seconds to generate (never committed).
import { existsSync } from 'node:fs'
import { mkdir, rename } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { createTinyLlama, writeGguf } from '../src/gguf/index.ts'

/** Which generated model a benchmark runs. */
export type BenchModel = 'tiny' | 'realistic'

/** The shapes: tiny = 256 wide, 4 layers (~4M parameters); realistic = 1024 wide, 24 layers (~400M). */
export const BENCH_MODELS = {
  tiny: { seed: 1, nEmbd: 256, nLayer: 4, nHead: 8, type: 'Q8_0' },
  realistic: { seed: 1, nEmbd: 1024, nLayer: 24, nHead: 16, type: 'Q8_0' },
} as const

/** Where generated models are cached: BENCH_CACHE_DIR, else ~/.cache/model-commons-bench. */
export function benchCacheDir(): string {
  return process.env.BENCH_CACHE_DIR ?? join(homedir(), '.cache', 'model-commons-bench')
}

/** One line naming the model, for the printed figures. */
export function describeModel(kind: BenchModel): string {
  const m = BENCH_MODELS[kind]
  return `${kind} generated llama ${m.type} nEmbd=${m.nEmbd} nLayer=${m.nLayer}`
}

/**
 * The path of the model: the tiny one is written into `scratchDir`; the realistic one is generated once
 * into the cache directory (about 20 s and 2 GB of memory while generating) and reused after.
 */
export async function benchModelPath(kind: BenchModel, scratchDir: string): Promise<string> {
  const m = BENCH_MODELS[kind]
  if (kind === 'tiny') {
    const path = join(scratchDir, 'tiny.gguf')
    await writeGguf(path, createTinyLlama(m))
    return path
  }
  const dir = benchCacheDir()
  const path = join(dir, `llama-${m.nEmbd}x${m.nLayer}-${m.type}-seed${m.seed}.gguf`)
  if (existsSync(path)) return path
  await mkdir(dir, { recursive: true })
  console.log(`generating the ${describeModel(kind)} into ${path} (once; cached after)`)
  const partial = `${path}.${process.pid}.partial`
  await writeGguf(partial, createTinyLlama(m))
  await rename(partial, path)
  return path
}
