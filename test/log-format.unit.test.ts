import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createLogger, formatLogLine, logFormat } from '../src/log.ts'

test('a JSON log line reads as time, level, component, message and fields, with the error on its own line', () => {
  const time = new Date(2026, 0, 2, 12, 4, 5).getTime()
  const line = JSON.stringify({
    level: 40,
    time,
    component: 'chain',
    msg: 'registry watch failed; retrying',
    attempt: 2,
    peer: { id: 'x' },
    err: {
      type: 'ChainUnavailableError',
      message: 'the chain is unreachable',
      stack: 'at secret (file.ts:1)',
    },
  })
  assert.equal(
    formatLogLine(line, false),
    '12:04:05 WARN  [chain] registry watch failed; retrying  attempt=2 peer={"id":"x"}\n' +
      '    ChainUnavailableError: the chain is unreachable\n',
  )
  assert.ok(formatLogLine(line, true).includes('\u001b[33mWARN '), 'colored on a terminal')
  assert.equal(formatLogLine('not json', false), 'not json\n', 'a foreign line passes through')
})

test('logs are JSON when piped or asked for, pretty on a terminal or when asked for', () => {
  const saved = process.env.COMMONS_LOG_FORMAT
  try {
    process.env.COMMONS_LOG_FORMAT = 'json'
    assert.equal(logFormat(), 'json')
    process.env.COMMONS_LOG_FORMAT = 'pretty'
    assert.equal(logFormat(), 'pretty')
    delete process.env.COMMONS_LOG_FORMAT
    assert.equal(logFormat(), process.stderr.isTTY ? 'pretty' : 'json')
    // Both formats build a working logger.
    createLogger('silent', 'pretty').info('dropped')
    createLogger('silent', 'json').info('dropped')
  } finally {
    if (saved === undefined) delete process.env.COMMONS_LOG_FORMAT
    else process.env.COMMONS_LOG_FORMAT = saved
  }
})
