import assert from 'node:assert/strict'
import { test } from 'node:test'
import { errorCodeOf } from '../src/error-codes.ts'
import { CommonsError, InvalidInputError } from '../src/errors.ts'

test('errors map by name, subclasses inherit their ancestor’s code, unknown errors are internal', () => {
  class BadFrameError extends InvalidInputError {}
  assert.equal(errorCodeOf(new InvalidInputError('x')).status, 400)
  assert.equal(errorCodeOf(new BadFrameError('x')).status, 400)
  assert.equal(errorCodeOf(new BadFrameError('x')).exit, 2)
  assert.deepEqual(errorCodeOf(new TypeError('boom')), {
    status: 500,
    exit: 1,
    type: 'server_error',
    known: false,
  })
  class Unlisted extends CommonsError {}
  assert.equal(errorCodeOf(new Unlisted('x')).known, false)
})
