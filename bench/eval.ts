/**
 * Benchmark: held-out perplexity (`scorePerplexity`: log-probs of the second half of each window, as
 * llama-perplexity scores) against plain node-llama-cpp evaluation of the same text in the same windows
 * (evaluate without generating, no output), same model, context and threads. Prints text tokens evaluated
 * per second by both and the ratio (goal >= 0.9x).
 * Run: npx tsx bench/eval.ts [--threads 1] [--windows 3] [--runs 7] [--embd 512] [--layers 8]
 * The model is small, so llama.cpp's per-token output costs more here than with real weights, where a
 * token's compute dwarfs it: the default (512 wide, 8 layers, Q8_0) keeps that share honest but visible.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Token } from 'node-llama-cpp'
import { createTinyLlama, writeGguf } from '../src/gguf/index.ts'
import { scorePerplexity, sharedLlamaRuntime } from '../src/inference/index.ts'

const CONTEXT = 512

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    windows: { type: 'string', default: '3' },
    runs: { type: 'string', default: '7' },
    embd: { type: 'string', default: '512' },
    layers: { type: 'string', default: '8' },
  },
})
const threads = Number(values.threads)
const windows = Number(values.windows)
const runs = Number(values.runs)
const nEmbd = Number(values.embd)
const nLayer = Number(values.layers)

const dir = await mkdtemp(join(tmpdir(), 'commons-bench-eval-'))
try {
  const path = join(dir, 'eval.gguf')
  await writeGguf(path, createTinyLlama({ seed: 9, nEmbd, nLayer, nHead: 8, nCtx: CONTEXT, type: 'Q8_0' }))
  const llama = await sharedLlamaRuntime()
  const model = await llama.loadModel({ modelPath: path })
  const context = await model.createContext({ contextSize: CONTEXT, sequences: 1, threads })
  const sequence = context.getSequence()
  // Byte-level vocabulary: one token per byte, so the text is exactly `windows` full windows.
  const sentence = 'Members of the commons evaluate each version on held-out text before it is published. '
  const text = sentence
    .repeat(Math.ceil(((CONTEXT - 1) * windows) / sentence.length))
    .slice(0, (CONTEXT - 1) * windows)
  const tokens = model.tokenize(text, false)
  const bos = model.tokens.bos as Token

  // One window at a time, plain then scored, so both sides see the same load on a shared machine; the
  // figures are total tokens over total time of each side (after one warm-up round).
  const chunks: string[] = []
  for (let at = 0; at < text.length; at += CONTEXT - 1) chunks.push(text.slice(at, at + CONTEXT - 1))
  const side = { plain: { tokens: 0, ms: 0 }, scored: { tokens: 0, ms: 0 } }
  for (let round = 0; round <= runs; round++) {
    for (const chunk of chunks) {
      const chunkTokens = model.tokenize(chunk, false)
      await sequence.clearHistory()
      const started = performance.now()
      await sequence.evaluateWithoutGeneratingNewTokens([bos, ...chunkTokens])
      const plainMs = performance.now() - started
      const r = await scorePerplexity(model, sequence, chunk, { contextSize: CONTEXT })
      if (round === 0) continue
      side.plain.tokens += chunkTokens.length
      side.plain.ms += plainMs
      side.scored.tokens += r.tokens
      side.scored.ms += r.ms
    }
  }
  await sequence.clearHistory()
  const base = side.plain.tokens / (side.plain.ms / 1000)
  const ours = side.scored.tokens / (side.scored.ms / 1000)
  console.log(
    `held-out evaluation, ${nEmbd}x${nLayer} Q8_0 model, ${tokens.length} tokens in ${windows} windows of ${CONTEXT}, ${threads} thread(s), ${runs} rounds:`,
  )
  console.log(`  plain node-llama-cpp evaluation   ${base.toFixed(0)} tokens/s`)
  console.log(
    `  perplexity (log-prob per token)   ${ours.toFixed(0)} tokens/s   ${(ours / base).toFixed(2)}x (goal >= 0.9x)`,
  )
  await context.dispose()
  await model.dispose()
} finally {
  await rm(dir, { recursive: true, force: true })
}
