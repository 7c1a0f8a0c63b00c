import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { TensorMap } from '../../src/aggregation/index.ts'
import { DEFAULT_MODEL_CONFIG } from '../../src/training/constants.ts'
import { BUNDLED_CORPUS_PATH } from '../../src/training/data/constants.ts'
import { loadCorpus } from '../../src/training/data/corpus-loader.ts'
import { splitCorpus } from '../../src/training/data/corpus-split.ts'
import { toTokenDataset } from '../../src/training/data/token-dataset.ts'
import {
  createTfjsTrainer,
  type LlamaModelConfig,
  type TrainerProgressEvent,
} from '../../src/training/index.ts'
import { countParams } from '../../src/training/param-layout.ts'

const CONFIG: Partial<LlamaModelConfig> = { nEmbd: 64, nLayer: 2, nHead: 4, nFf: 192, contextLength: 256 }
const HYPER = { batchSize: 8, seqLen: 64, learningRate: 5e-3 }

describe('built-in tfjs trainer', async () => {
  const { train, heldOut } = splitCorpus(await loadCorpus(BUNDLED_CORPUS_PATH))
  const trainData = toTokenDataset(train)
  const heldOutData = toTokenDataset(heldOut)

  test('the default model has about 0.9 M parameters', () => {
    const n = countParams(DEFAULT_MODEL_CONFIG)
    assert.ok(n > 850_000 && n < 950_000, `${n} params`)
  })

  test('training lowers held-out loss on the corpus and reports progress, examples and metrics', async (t) => {
    await using trainer = await createTfjsTrainer({ config: CONFIG, seed: 1 })
    const before = await trainer.evaluate(heldOutData, { seqLen: 64, maxWindows: 64 })
    assert.ok(
      Math.abs(before.loss - Math.log(260)) < 0.3,
      `untrained loss ${before.loss} should be near ln(260)`,
    )
    const events: TrainerProgressEvent[] = []
    const result = await trainer.train({
      data: trainData,
      steps: 40,
      ...HYPER,
      onProgress: (e) => events.push(e),
    })
    const afterTraining = await trainer.evaluate(heldOutData, { seqLen: 64, maxWindows: 64 })
    t.diagnostic(`held-out loss ${before.loss.toFixed(3)} → ${afterTraining.loss.toFixed(3)} after 40 steps`)
    assert.ok(afterTraining.loss < before.loss - 1.5, `held-out loss ${before.loss} → ${afterTraining.loss}`)
    assert.equal(events.length, 40)
    assert.deepEqual(events.at(-1)?.type, 'training:step:completed')
    assert.equal(result.updateKind, 'weights')
    assert.equal(result.numExamples, Math.floor(trainData.tokens.length / 65))
    assert.ok(result.metrics.loss < result.metrics.initialLoss)
    assert.equal(result.metrics.tokens, 40 * 8 * 64)
    // The update is the trained weights themselves.
    const now = await trainer.getParams()
    for (const [name, data] of result.update) assert.deepEqual(data, now.get(name))
  })

  test('the same seed gives the same init and the same training result', async () => {
    await using a = await createTfjsTrainer({ config: CONFIG, seed: 42 })
    await using b = await createTfjsTrainer({ config: CONFIG, seed: 42 })
    await using c = await createTfjsTrainer({ config: CONFIG, seed: 43 })
    const pa = await a.getParams()
    assert.deepEqual(await b.getParams(), pa)
    assert.notDeepEqual((await c.getParams()).get('blk.0.attn_q.weight'), pa.get('blk.0.attn_q.weight'))
    const ra = await a.train({ data: trainData, steps: 2, ...HYPER, seed: 5 })
    const rb = await b.train({ data: trainData, steps: 2, ...HYPER, seed: 5 })
    assert.equal(ra.metrics.loss, rb.metrics.loss)
    assert.deepEqual(ra.update.get('output.weight'), rb.update.get('output.weight'))
  })

  test('train, evaluate, logits and getParams leak no tensors; dispose frees the model', async () => {
    const tf = await import('@tensorflow/tfjs')
    const trainer = await createTfjsTrainer({ config: CONFIG, seed: 2 })
    await trainer.train({ data: trainData, steps: 1, ...HYPER, proximalMu: 0.1 }) // caches the RoPE/mask constants
    await trainer.evaluate(heldOutData, { seqLen: 64, maxWindows: 4 })
    const before = tf.memory().numTensors
    await trainer.train({ data: trainData, steps: 2, ...HYPER, proximalMu: 0.1 })
    await trainer.evaluate(heldOutData, { seqLen: 64, maxWindows: 4 })
    await trainer.logits([3, 4, 5])
    await trainer.getParams()
    await trainer.loadParams(await trainer.getParams())
    assert.equal(tf.memory().numTensors, before)
    await trainer.dispose()
    assert.ok(tf.memory().numTensors < before)
  })

  test('a large FedProx μ keeps the weights closer to the global model', async () => {
    await using plain = await createTfjsTrainer({ config: CONFIG, seed: 9 })
    await using prox = await createTfjsTrainer({ config: CONFIG, seed: 9 })
    const start = await plain.getParams()
    const distance = (m: TensorMap): number => {
      let s = 0
      for (const [name, { data }] of m) {
        const base = start.get(name)!.data
        for (let i = 0; i < data.length; i++) s += (data[i]! - base[i]!) ** 2
      }
      return Math.sqrt(s)
    }
    const a = await plain.train({ data: trainData, steps: 4, ...HYPER })
    const b = await prox.train({ data: trainData, steps: 4, ...HYPER, proximalMu: 1000 })
    assert.ok(
      distance(b.update) < distance(a.update),
      `prox ${distance(b.update)} vs plain ${distance(a.update)}`,
    )
  })

  test('abort, bad params, bad options and use after dispose fail with named errors', async () => {
    const trainer = await createTfjsTrainer({ config: CONFIG, seed: 1 })
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(trainer.train({ data: trainData, steps: 1, ...HYPER, signal: controller.signal }), {
      name: 'AbortedError',
    })
    await assert.rejects(trainer.train({ data: trainData, steps: 0, ...HYPER }), {
      name: 'InvalidInputError',
    })
    const params = new Map(await trainer.getParams())
    params.delete('output.weight')
    await assert.rejects(trainer.loadParams(params), { name: 'ModelParamsMismatchError' })
    const wrong = new Map(await trainer.getParams())
    wrong.set('blk.0.attn_q.weight', { shape: [3], data: new Float32Array(3) })
    await assert.rejects(trainer.loadParams(wrong), { name: 'ModelParamsMismatchError' })
    const transposed = new Map(await trainer.getParams())
    const q = transposed.get('blk.0.attn_q.weight')!
    transposed.set('blk.0.attn_q.weight', { shape: [q.data.length], data: q.data })
    await assert.rejects(trainer.loadParams(transposed), { name: 'ModelParamsMismatchError' })
    await assert.rejects(createTfjsTrainer({ config: { ...CONFIG, nHead: 3 } }), {
      name: 'UnsupportedModelError',
    })
    await trainer.dispose()
    await trainer.dispose()
    await assert.rejects(trainer.getParams(), { name: 'TrainerDisposedError' })
  })
})
