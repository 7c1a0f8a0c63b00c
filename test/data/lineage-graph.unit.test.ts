import assert from 'node:assert/strict'
import { test } from 'node:test'
import { markedVersions, type TrainedVersion } from '../../src/data/index.ts'

const v = (versionId: bigint, baseVersionId: bigint, datasets: bigint[], modelId = 1n): TrainedVersion => ({
  modelId,
  versionId,
  jobId: versionId,
  baseVersionId,
  datasets,
})

test('a withdrawal marks the versions trained with the dataset and every version trained from them, nothing else', () => {
  const versions = [
    v(2n, 1n, [1n, 2n]), // trained with 2
    v(3n, 2n, [1n]), // from a marked base: marked through it
    v(4n, 1n, [1n, 3n]), // clean sibling
    v(5n, 4n, [3n]), // clean descendant of the sibling
    v(2n, 0n, [2n], 9n), // another model's version 2 (ids are per model)
  ]
  const marked = markedVersions(versions, new Set([2n]))
  assert.deepEqual([...marked.keys()].sort(), ['1@2', '1@3', '9@2'])
  assert.deepEqual(marked.get('1@3'), [2n])
  assert.equal(markedVersions(versions, new Set()).size, 0)
  // Two withdrawals: each version lists what it carries, sorted and once.
  assert.deepEqual(markedVersions(versions, new Set([2n, 3n])).get('1@5'), [3n])
  assert.deepEqual(markedVersions([v(3n, 2n, [2n, 1n]), v(2n, 0n, [1n])], new Set([1n, 2n])).get('1@3'), [
    1n,
    2n,
  ])
})

test('a base cycle (impossible on chain) ends instead of recursing forever', () => {
  const marked = markedVersions([v(2n, 3n, [1n]), v(3n, 2n, [])], new Set([1n]))
  assert.deepEqual(marked.get('1@2'), [1n])
})
