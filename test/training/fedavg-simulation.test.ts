import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Tensor, TensorMap } from '../../src/aggregation/index.ts'
import { BUNDLED_CORPUS_PATH } from '../../src/training/data/constants.ts'
import { loadCorpus } from '../../src/training/data/corpus-loader.ts'
import { partitionCorpus, splitCorpus } from '../../src/training/data/corpus-split.ts'
import { toTokenDataset } from '../../src/training/data/token-dataset.ts'
import { createTfjsTrainer, type LlamaModelConfig } from '../../src/training/index.ts'
import { runLocalRound } from '../../src/training/local-round.ts'

const CONFIG: Partial<LlamaModelConfig> = { nEmbd: 64, nLayer: 2, nHead: 4, nFf: 192, contextLength: 256 }
const ROUNDS = 3
const LOCAL = { steps: 15, batchSize: 8, seqLen: 64, learningRate: 5e-3 }

/** FedAvg (McMahan et al. 2017): the example-weighted mean of the members' new weights. */
function fedAvg(updates: Array<{ update: TensorMap; numExamples: number }>): TensorMap {
  const total = updates.reduce((n, u) => n + u.numExamples, 0)
  const out = new Map<string, Tensor>()
  for (const [name, first] of updates[0]!.update) {
    const acc = new Float32Array(first.data.length)
    for (const { update, numExamples } of updates) {
      const data = update.get(name)!.data
      const w = numExamples / total
      for (let i = 0; i < acc.length; i++) acc[i]! += w * data[i]!
    }
    out.set(name, { shape: first.shape, data: acc })
  }
  return out
}

test('three members, three FedAvg rounds: held-out loss beats the base model and lands within 10% of centralized training', async (t) => {
  const { train, heldOut } = splitCorpus(await loadCorpus(BUNDLED_CORPUS_PATH))
  const heldOutData = toTokenDataset(heldOut)
  const shards = partitionCorpus(train, 3).map(toTokenDataset)
  const evalOptions = { seqLen: LOCAL.seqLen, maxWindows: 96 }

  await using trainer = await createTfjsTrainer({ config: CONFIG, seed: 11 })
  const base = await trainer.getParams()
  const baseLoss = (await trainer.evaluate(heldOutData, evalOptions)).loss

  let global = base
  const roundLosses: number[] = []
  for (let round = 1; round <= ROUNDS; round++) {
    const updates = []
    for (const [member, shard] of shards.entries()) {
      updates.push(
        await runLocalRound(
          { trainer },
          { globalParams: global, data: shard, config: LOCAL, round: round * 10 + member },
        ),
      )
    }
    global = fedAvg(updates)
    await trainer.loadParams(global)
    roundLosses.push((await trainer.evaluate(heldOutData, evalOptions)).loss)
  }
  const federatedLoss = roundLosses.at(-1)!

  // Centralized baseline: the same base model, the union of the shards, the same number of sequential steps.
  await trainer.loadParams(base)
  await trainer.train({ data: toTokenDataset(train), ...LOCAL, steps: ROUNDS * LOCAL.steps, seed: 1 })
  const centralizedLoss = (await trainer.evaluate(heldOutData, evalOptions)).loss

  const summary = `base ${baseLoss.toFixed(3)}, rounds ${roundLosses.map((l) => l.toFixed(3)).join(' → ')}, centralized ${centralizedLoss.toFixed(3)}`
  assert.ok(federatedLoss < baseLoss - 1, summary)
  assert.ok(roundLosses[2]! < roundLosses[0]!, summary)
  assert.ok(federatedLoss <= centralizedLoss * 1.1, summary)
  t.diagnostic(summary)
})
