import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { BUNDLED_CORPUS_PATH } from '../../src/training/index.ts'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('commons train join refuses a job the chain does not know and a corpus that is missing or unusable, with a clear message and no stack', async () => {
  await using dir = await tmpDir()
  const node = await startNodeProcess(dir.path)
  const expectRefused = async (args: string[], exit: number, message: RegExp) => {
    const r = await runCli(dir.path, ['train', 'join', ...args])
    assert.equal(r.code, exit, `${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`)
    assert.match(r.stderr, message, args.join(' '))
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace is shown')
    assert.doesNotMatch(r.stdout, /Joined/, 'nothing claims the job was joined')
  }
  try {
    await expectRefused(
      ['999', '--corpus', BUNDLED_CORPUS_PATH],
      3,
      /No training job 999 is recorded on chain/,
    )
    await expectRefused(['1', '--corpus', join(dir.path, 'wrong')], 3, /Corpus .*wrong does not exist/)
    await mkdir(join(dir.path, 'empty'))
    await expectRefused(['1', '--corpus', join(dir.path, 'empty')], 3, /holds no \.txt\/\.md files/)
    await writeFile(join(dir.path, 'tiny.txt'), 'too short to train on')
    await expectRefused(['1', '--corpus', join(dir.path, 'tiny.txt')], 2, /too few for a held-out split/)
  } finally {
    await node.stop()
  }
})
