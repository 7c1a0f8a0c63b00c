import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { LlamaContext, LlamaModel } from 'node-llama-cpp'
import { PositionSampler } from '../../src/inference/engine/position-sampler.ts'
import { positionSeed } from '../../src/inference/engine/position-seed.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { testLlama, writeTinyModel } from './fixtures.ts'

// The engine samples through node-llama-cpp's internal decode step with one sampler per generation; the
// public `controlledEvaluate` must give exactly the same tokens (it is the fallback, and what a peer on
// another node-llama-cpp build may run when it resumes a generation).

const dir = await tmpDir('commons-position-sampler-')
let model: LlamaModel
let context: LlamaContext

before(async () => {
  const source = await writeTinyModel(dir.path, { seed: 5, nEmbd: 64, nLayer: 2, type: 'Q8_0' })
  model = await (await testLlama()).loadModel({ modelPath: source.path })
  context = await model.createContext({ contextSize: 256, sequences: 2, threads: 1 })
})

after(async () => {
  await context?.dispose()
  await model?.dispose()
  await dir[Symbol.asyncDispose]()
})

async function generate(
  useInternals: boolean,
  seed: number,
  temperature: number,
  n: number,
): Promise<number[]> {
  const sequence = context.getSequence()
  const sampler = new PositionSampler(sequence, model, { temperature, topP: 0.9, topK: 0 }, useInternals)
  try {
    const out: number[] = []
    let pending = [model.tokens.bos ?? 1, ...model.tokenize('the commons decides')]
    for (let i = 0; i < n; i++) {
      const token = await sampler.next(pending, positionSeed(seed, i))
      assert.ok(token !== undefined, `a token at position ${i}`)
      out.push(token)
      pending = [token]
    }
    return out
  } finally {
    sampler.dispose()
    sequence.dispose()
  }
}

test('the internal path samples exactly what controlledEvaluate samples, seed by seed', async () => {
  for (const [seed, temperature] of [
    [1, 0.8],
    [2, 1.5],
    [3, 0],
  ] as const) {
    const fast = await generate(true, seed, temperature, 40)
    const slow = await generate(false, seed, temperature, 40)
    assert.deepEqual(fast, slow, `seed ${seed}, temperature ${temperature}`)
    if (temperature > 0) assert.ok(new Set(fast).size > 3, 'sampling at temperature > 0 varies')
  }
  // Another seed gives another sequence (the seed is applied per token, not ignored).
  assert.notDeepEqual(await generate(true, 1, 1.5, 40), await generate(true, 2, 1.5, 40))
})
