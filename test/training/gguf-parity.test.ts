import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import {
  type ControlledEvaluateInputItem,
  getLlama,
  type Llama,
  LlamaLogLevel,
  type Token,
} from 'node-llama-cpp'
import { readGguf } from '../../src/gguf/index.ts'
import { textToTokens } from '../../src/training/data/byte-tokens.ts'
import { BUNDLED_CORPUS_PATH } from '../../src/training/data/constants.ts'
import { loadCorpus } from '../../src/training/data/corpus-loader.ts'
import { toTokenDataset } from '../../src/training/data/token-dataset.ts'
import { readGgufParams } from '../../src/training/gguf-import.ts'
import { createTfjsTrainer, type LlamaModelConfig } from '../../src/training/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const CONFIG: Partial<LlamaModelConfig> = { nEmbd: 64, nLayer: 2, nHead: 4, nFf: 192, contextLength: 256 }

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    na += a[i]! * a[i]!
    nb += b[i]! * b[i]!
  }
  return dot / Math.sqrt(na * nb)
}

describe('built-in trainer ⇄ GGUF ⇄ llama.cpp', () => {
  let llama: Llama

  before(async () => {
    llama = await getLlama({
      gpu: false,
      build: 'never',
      skipDownload: true,
      maxThreads: 1,
      logLevel: LlamaLogLevel.error,
    })
  })
  after(async () => {
    await llama?.dispose()
  })

  test('a briefly trained model exported to GGUF gives llama.cpp logits matching the tfjs forward pass (cosine ≥ 0.999)', async (t) => {
    await using dir = await tmpDir()
    const data = toTokenDataset(await loadCorpus(BUNDLED_CORPUS_PATH))
    await using trainer = await createTfjsTrainer({ config: CONFIG, seed: 7 })
    // Training moves the weights away from the symmetric init, so every tensor matters in the check.
    await trainer.train({ data, steps: 8, batchSize: 4, seqLen: 64, learningRate: 3e-3 })
    const path = join(dir.path, 'trained.gguf')
    await trainer.exportGguf(path)

    const tokens = Array.from(textToTokens('It is a truth universally acknowledged, that a single man'))
    const expected = await trainer.logits(tokens)
    const vocab = trainer.config.vocabSize

    const model = await llama.loadModel({ modelPath: path })
    try {
      const context = await model.createContext({ contextSize: 256, batchSize: 256, threads: 1 })
      try {
        const sequence = context.getSequence()
        let minCosine = 1
        let maxAbsDiff = 0
        const outputs = await sequence.controlledEvaluate(
          tokens.map((t): ControlledEvaluateInputItem => [t as Token, { generateNext: { logits: true } }]),
        )
        for (let pos = 0; pos < tokens.length; pos++) {
          const logits = outputs[pos]?.next.logits
          assert.ok(logits !== undefined, `llama.cpp returned no logits at position ${pos}`)
          assert.equal(logits.size, vocab)
          const actual = new Float32Array(vocab)
          for (const [token, value] of logits) actual[token as number] = value
          const row = expected.subarray(pos * vocab, (pos + 1) * vocab)
          const cos = cosine(row, actual)
          assert.ok(cos >= 0.999, `position ${pos}: cosine ${cos} < 0.999`)
          minCosine = Math.min(minCosine, cos)
          for (let v = 0; v < vocab; v++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(row[v]! - actual[v]!))
          let argmaxA = 0
          let argmaxB = 0
          for (let v = 1; v < vocab; v++) {
            if (row[v]! > row[argmaxA]!) argmaxA = v
            if (actual[v]! > actual[argmaxB]!) argmaxB = v
          }
          assert.equal(argmaxB, argmaxA, `position ${pos}: top token differs`)
        }
        t.diagnostic(
          `${tokens.length} positions: min cosine ${minCosine.toFixed(7)}, max |Δlogit| ${maxAbsDiff.toExponential(2)}`,
        )
      } finally {
        await context.dispose()
      }
    } finally {
      await model.dispose()
    }
  })

  test('a tied-output model exports without output.weight and llama.cpp (which then reuses token_embd) agrees', async () => {
    await using dir = await tmpDir()
    const data = toTokenDataset(await loadCorpus(BUNDLED_CORPUS_PATH))
    await using trainer = await createTfjsTrainer({ config: { ...CONFIG, tiedOutput: true }, seed: 8 })
    await trainer.train({ data, steps: 4, batchSize: 4, seqLen: 64, learningRate: 3e-3 })
    const path = join(dir.path, 'tied.gguf')
    await trainer.exportGguf(path)
    const file = await readGguf(path)
    assert.equal(
      file.tensors.some((t) => t.name === 'output.weight'),
      false,
    )
    const { config } = await readGgufParams(path)
    assert.equal(config.tiedOutput, true)
    const ids = Array.from(textToTokens('She is tolerable'))
    const expected = await trainer.logits(ids)
    const model = await llama.loadModel({ modelPath: path })
    try {
      const context = await model.createContext({ contextSize: 256, batchSize: 256, threads: 1 })
      try {
        const out = await context
          .getSequence()
          .controlledEvaluate(
            ids.map((t): ControlledEvaluateInputItem => [t as Token, { generateNext: { logits: true } }]),
          )
        for (let pos = 0; pos < ids.length; pos++) {
          const logits = out[pos]?.next.logits
          assert.ok(logits !== undefined)
          const actual = new Float32Array(config.vocabSize)
          for (const [token, value] of logits) actual[token as number] = value
          const cos = cosine(expected.subarray(pos * config.vocabSize, (pos + 1) * config.vocabSize), actual)
          assert.ok(cos >= 0.999, `position ${pos}: cosine ${cos} < 0.999`)
        }
      } finally {
        await context.dispose()
      }
    } finally {
      await model.dispose()
    }
  })

  test('export → import → export round-trips every weight exactly', async () => {
    await using dir = await tmpDir()
    await using trainer = await createTfjsTrainer({ config: CONFIG, seed: 3 })
    const first = join(dir.path, 'a.gguf')
    await trainer.exportGguf(first)
    const original = await trainer.getParams()

    const { config, params } = await readGgufParams(first)
    assert.deepEqual(config, { ...trainer.config })
    await using reloaded = await createTfjsTrainer({ config, seed: 99 })
    await reloaded.loadParams(params)
    const again = await reloaded.getParams()
    assert.equal(again.size, original.size)
    for (const [name, data] of original) assert.deepEqual(again.get(name), data, `${name} changed`)

    const second = join(dir.path, 'b.gguf')
    await reloaded.exportGguf(second)
    const read = await readGguf(second)
    assert.deepEqual(
      read.tensors.map((t) => [t.name, t.shape]),
      (await readGguf(first)).tensors.map((t) => [t.name, t.shape]),
    )
    for (const t of read.tensors)
      assert.deepEqual(t.data, original.get(t.name)?.data, `${t.name} differs after the second export`)
    const logitsA = await trainer.logits([3, 4, 5, 259, 6])
    const logitsB = await reloaded.logits([3, 4, 5, 259, 6])
    assert.deepEqual(logitsB, logitsA)
  })

  test('a base GGUF from gguf/ (createTinyLlama) imports into the trainer, whose forward pass matches llama.cpp on it', async () => {
    await using dir = await tmpDir()
    const { createTinyLlama, writeGguf } = await import('../../src/gguf/index.ts')
    const base = join(dir.path, 'base.gguf')
    await writeGguf(base, createTinyLlama({ seed: 5, nEmbd: 64, nLayer: 2, nHead: 4, nFf: 128, nCtx: 256 }))
    const { config, params } = await readGgufParams(base)
    assert.equal(config.nFf, 128)
    await using trainer = await createTfjsTrainer({ config })
    await trainer.loadParams(params)
    const loaded = await trainer.getParams()
    for (const [name, data] of params) assert.deepEqual(loaded.get(name), data, `${name} not loaded as is`)
    const ids = Array.from(textToTokens('Mr. Bennet'))
    const expected = await trainer.logits(ids)
    const model = await llama.loadModel({ modelPath: base })
    try {
      const context = await model.createContext({ contextSize: 256, batchSize: 256, threads: 1 })
      try {
        const out = await context
          .getSequence()
          .controlledEvaluate(
            ids.map((t): ControlledEvaluateInputItem => [t as Token, { generateNext: { logits: true } }]),
          )
        const last = out[ids.length - 1]?.next.logits
        assert.ok(last !== undefined)
        const actual = new Float32Array(config.vocabSize)
        for (const [token, value] of last) actual[token as number] = value
        const cos = cosine(expected.subarray((ids.length - 1) * config.vocabSize), actual)
        assert.ok(cos >= 0.999, `cosine ${cos} < 0.999 on the imported base model`)
      } finally {
        await context.dispose()
      }
    } finally {
      await model.dispose()
    }
  })
})
