import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { GenerationChunk } from '../../src/inference/index.ts'
import { mergeChunks } from '../../src/inference/serving/chunk-frames.ts'
import { ChunkFrameSchema } from '../../src/inference/serving/infer-frames.ts'

const step = (index: number, text: string, last?: Partial<GenerationChunk>): GenerationChunk => ({
  index,
  tokens: [100 + index],
  text,
  ...last,
})

test('mergeChunks joins a batch into one chunk with the same tokens and text', () => {
  const batch = [
    step(5, 'a'),
    step(6, ''),
    step(7, 'bc', { finishReason: 'length', usage: { promptTokens: 2, completionTokens: 8 } }),
  ]
  assert.deepEqual(mergeChunks(batch), [
    {
      index: 5,
      tokens: [105, 106, 107],
      text: 'abc',
      finishReason: 'length',
      usage: { promptTokens: 2, completionTokens: 8 },
    },
  ])
  assert.deepEqual(batch[0], step(5, 'a'), 'the input chunks are not modified')
})

test('mergeChunks splits at the frame bounds, and every merged chunk is a valid chunk frame', () => {
  const batch = Array.from({ length: 150 }, (_, i) => step(i, 'y'.repeat(40)))
  const merged = mergeChunks(batch)
  assert.ok(merged.length > 1)
  let index = 0
  for (const m of merged) {
    assert.equal(m.index, index)
    index += m.tokens.length
    assert.ok(ChunkFrameSchema.safeParse({ type: 'chunk', ...m }).success)
  }
  assert.equal(index, 150)
  assert.equal(merged.map((m) => m.text).join(''), batch.map((c) => c.text).join(''))
})
