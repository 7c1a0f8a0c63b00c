import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Tensor } from '../../src/aggregation/tensor-map.ts'
import { validateUpdate, validateUpdates } from '../../src/aggregation/validate-update.ts'
import { globalModel, randomUpdate, tensorMap } from './fixtures.ts'

const global = globalModel(2)

test('a well-formed update passes and its norm is measured', () => {
  const u = { memberId: 'a', numExamples: 3, tensors: tensorMap(() => 0.5) }
  const stats = validateUpdate(global, u, { maxNorm: 100, maxBytes: 10_000 })
  assert.equal(stats.numParams, 128 + 64 + 8 + 128)
  assert.ok(Math.abs(stats.l2Norm - 0.5 * Math.sqrt(stats.numParams)) < 1e-9)
})

test('each problem is a named error whose message says what was wrong', () => {
  const shape = randomUpdate('bob', 1)
  ;(shape.tensors as Map<string, Tensor>).set('blk.0.attn_q.weight', {
    shape: [4, 16],
    data: new Float32Array(64),
  })
  assert.throws(() => validateUpdate(global, shape), {
    name: 'UpdateShapeMismatchError',
    message: /bob: tensor "blk\.0\.attn_q\.weight" has shape \[4, 16\].*\[8, 8\]/,
  })
  const length = randomUpdate('bob', 1)
  ;(length.tensors as Map<string, Tensor>).set('blk.0.attn_norm.weight', {
    shape: [8],
    data: new Float32Array(7),
  })
  assert.throws(() => validateUpdate(global, length), { name: 'UpdateShapeMismatchError' })
  const nan = randomUpdate('carol', 2)
  nan.tensors.get('output.weight')!.data[17] = Number.NaN
  assert.throws(() => validateUpdate(global, nan), {
    name: 'UpdateNotFiniteError',
    message: /"output\.weight" holds NaN at index 17/,
  })
  assert.throws(() => validateUpdate(global, randomUpdate('d', 3), { maxNorm: 1e-6 }), {
    name: 'UpdateNormExceededError',
  })
  assert.throws(() => validateUpdate(global, randomUpdate('d', 3), { maxBytes: 1000 }), {
    name: 'UpdateTooLargeError',
    message: /1312 bytes; the round accepts at most 1000/,
  })
  const unknown = randomUpdate('e', 4)
  ;(unknown.tensors as Map<string, Tensor>).set('rope_freqs', { shape: [2], data: new Float32Array(2) })
  assert.throws(() => validateUpdate(global, unknown), {
    name: 'UnknownTensorError',
    message: /"rope_freqs"/,
  })
  assert.throws(() => validateUpdate(global, { ...randomUpdate('f', 5), numExamples: Number.NaN }), {
    name: 'InvalidExampleCountError',
  })
  assert.throws(() => validateUpdates(global, [randomUpdate('g', 1), randomUpdate('g', 2)]), {
    name: 'DuplicateUpdateError',
  })
})
