import assert from 'node:assert/strict'
import { test } from 'node:test'
import { defaultThreads } from '../../src/inference/engine/default-threads.ts'

test('llama.cpp gets every core but one, at least one and at most two', () => {
  assert.equal(defaultThreads(1), 1)
  assert.equal(defaultThreads(2), 1)
  assert.equal(defaultThreads(3), 2)
  assert.equal(defaultThreads(64), 2)
})
