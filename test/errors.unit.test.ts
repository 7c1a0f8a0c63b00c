import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AbortedError, CommonsError, InvalidInputError, throwIfAborted } from '../src/errors.ts'

test('error names are the class names, so boundaries can map them', () => {
  const e = new InvalidInputError('bad', { details: { field: 'x' } })
  assert.equal(e.name, 'InvalidInputError')
  assert.ok(e instanceof CommonsError)
  assert.deepEqual(e.details, { field: 'x' })
})

test('throwIfAborted throws AbortedError on an aborted signal', () => {
  const ac = new AbortController()
  throwIfAborted(ac.signal)
  ac.abort()
  assert.throws(() => throwIfAborted(ac.signal), { name: 'AbortedError' })
  assert.ok(new AbortedError() instanceof CommonsError)
})
