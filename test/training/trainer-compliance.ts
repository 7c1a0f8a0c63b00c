import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { readGguf } from '../../src/gguf/index.ts'
import type { TokenDataset } from '../../src/training/data/index.ts'
import type { Trainer, TrainerProgressEvent } from '../../src/training/index.ts'
import { runLocalRound } from '../../src/training/local-round.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

/** How to build one implementation and train it briefly. */
export interface ComplianceTarget {
  name: string
  create: () => Promise<Trainer>
  train: TokenDataset
  heldOut: TokenDataset
  hyper: { steps: number; batchSize: number; seqLen: number; learningRate: number }
}

/** The behaviour every Trainer must show, whatever runs the training. */
export function trainerComplianceTests(target: ComplianceTarget): void {
  const { hyper } = target
  const evalOptions = { seqLen: hyper.seqLen, maxWindows: 32 }

  test(`${target.name}: loadParams then getParams returns exactly what was loaded`, async () => {
    await using trainer = await target.create()
    const params = await trainer.getParams()
    assert.ok(params.size > 0)
    const changed = new Map(
      [...params].map(([name, t]) => [
        name,
        { shape: t.shape, data: t.data.map((v, i) => v + ((i % 7) - 3) * 1e-3) },
      ]),
    )
    await trainer.loadParams(changed)
    assert.deepEqual(await trainer.getParams(), changed)
  })

  test(`${target.name}: train returns the new weights, the example count and metrics, and lowers held-out loss`, async () => {
    await using trainer = await target.create()
    const before = await trainer.evaluate(target.heldOut, evalOptions)
    const params = await trainer.getParams()
    const events: TrainerProgressEvent[] = []
    const result = await trainer.train({ data: target.train, ...hyper, onProgress: (e) => events.push(e) })
    assert.equal(result.updateKind, 'weights')
    assert.deepEqual([...result.update.keys()].sort(), [...params.keys()].sort())
    for (const [name, t] of result.update) {
      assert.equal(t.data.length, params.get(name)!.data.length)
      assert.deepEqual(t.shape, params.get(name)!.shape)
    }
    assert.deepEqual(await trainer.getParams(), result.update)
    assert.equal(result.numExamples, Math.floor(target.train.tokens.length / (hyper.seqLen + 1)))
    assert.ok(Number.isFinite(result.metrics.loss))
    assert.equal(events.length, hyper.steps)
    assert.equal(events.at(-1)?.detail.step, hyper.steps)
    const afterTraining = await trainer.evaluate(target.heldOut, evalOptions)
    assert.ok(afterTraining.loss < before.loss - 0.5, `held-out loss ${before.loss} → ${afterTraining.loss}`)
    assert.ok(afterTraining.tokens > 0)
  })

  test(`${target.name}: runLocalRound loads the global params, trains and reports held-out loss`, async () => {
    await using trainer = await target.create()
    const global = await trainer.getParams()
    await trainer.train({ data: target.train, ...hyper, steps: 1 }) // move away from `global`
    const result = await runLocalRound(
      { trainer },
      { globalParams: global, data: target.train, heldOut: target.heldOut, config: hyper, round: 2 },
    )
    assert.ok(result.heldOut !== undefined && Number.isFinite(result.heldOut.loss))
    // Same global params and round ⇒ the same update.
    const again = await runLocalRound(
      { trainer },
      { globalParams: global, data: target.train, config: hyper, round: 2 },
    )
    assert.deepEqual(again.update, result.update)
  })

  test(`${target.name}: exportGguf writes every tensor`, async () => {
    await using dir = await tmpDir()
    await using trainer = await target.create()
    const path = join(dir.path, 'export.gguf')
    await trainer.exportGguf(path)
    const model = await readGguf(path)
    const params = await trainer.getParams()
    for (const [name, t] of params) {
      const written = model.tensors.find((x) => x.name === name)
      assert.deepEqual(written?.data, t.data)
      assert.deepEqual(written?.shape, t.shape)
    }
  })

  test(`${target.name}: an aborted signal rejects with AbortedError; dispose is idempotent and final`, async () => {
    const trainer = await target.create()
    await assert.rejects(trainer.train({ data: target.train, ...hyper, signal: AbortSignal.abort() }), {
      name: 'AbortedError',
    })
    await trainer.dispose()
    await trainer.dispose()
    await assert.rejects(async () => trainer.getParams(), { name: 'TrainerDisposedError' })
  })
}
