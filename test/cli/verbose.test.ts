import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { runCli } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const STACK = /\n\s+at /

test('CLI errors print one line and exit with the table code; --verbose adds the stack and the causes', async () => {
  await using dir = await tmpDir()

  // A known error: its message, its exit code (ApiKeyNotFoundError is a NotFoundError: 3), no stack.
  const missing = await runCli(dir.path, ['key', 'revoke', 'ffffffffffff'])
  assert.equal(missing.code, 3, missing.stderr)
  assert.equal(missing.stderr, 'error: No API key has id ffffffffffff; see `commons key list`.\n')
  const missingVerbose = await runCli(dir.path, ['--verbose', 'key', 'revoke', 'ffffffffffff'])
  assert.equal(missingVerbose.code, 3)
  assert.match(missingVerbose.stderr, /^error: No API key has id ffffffffffff/)
  assert.match(missingVerbose.stderr, /ApiKeyNotFoundError: No API key/)
  assert.match(missingVerbose.stderr, STACK)

  // A known error with a cause: the cause shows only with --verbose (the flag also works after the command).
  await writeFile(join(dir.path, 'api-keys.json'), '{ not json')
  const corrupt = await runCli(dir.path, ['key', 'list'])
  assert.equal(corrupt.code, 2, corrupt.stderr)
  assert.match(corrupt.stderr, /^error: .*api-keys\.json is not a valid API key file; fix or remove it\.\n$/)
  assert.doesNotMatch(corrupt.stderr, STACK)
  const corruptVerbose = await runCli(dir.path, ['key', 'list', '--verbose'])
  assert.equal(corruptVerbose.code, 2)
  assert.match(corruptVerbose.stderr, /\ncaused by: SyntaxError: /)
  assert.match(corruptVerbose.stderr, STACK)

  // An unexpected error: exit 1, its message and a hint, no stack unless asked.
  await mkdir(join(dir.path, 'accounts'), { recursive: true })
  await writeFile(join(dir.path, 'accounts', 'node.json'), 'garbage')
  const internal = await runCli(dir.path, ['whoami'])
  assert.equal(internal.code, 1, internal.stderr)
  assert.match(internal.stderr, /^error: internal error: .*JSON/)
  assert.match(internal.stderr, /\nhint: .*--verbose/)
  assert.doesNotMatch(internal.stderr, STACK)
  const internalVerbose = await runCli(dir.path, ['--verbose', 'whoami'])
  assert.equal(internalVerbose.code, 1)
  assert.match(internalVerbose.stderr, /SyntaxError/)
  assert.match(internalVerbose.stderr, STACK)
})
