import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { textToTokens } from '../../src/training/data/byte-tokens.ts'
import { createSubprocessTrainer } from '../../src/training/index.ts'

const FIXTURE = fileURLToPath(new URL('./fixtures/bigram-trainer.ts', import.meta.url))
const data = {
  tokens: textToTokens(
    'It is a truth universally acknowledged, that a single man in possession of a good fortune. '.repeat(40),
  ),
}
const hyper = { batchSize: 4, seqLen: 32, learningRate: 20 }

function start(env: Record<string, string> = {}) {
  return createSubprocessTrainer({
    command: process.execPath,
    args: ['--import', 'tsx', FIXTURE],
    env: { ...process.env, ...env },
  })
}

describe('SubprocessTrainer failure handling', () => {
  test('an error reply becomes SubprocessTrainerError carrying the code, and the trainer stays usable', async () => {
    await using trainer = await start({ BIGRAM_FAIL: 'train' })
    const error = await trainer.train({ data, steps: 2, ...hyper }).catch((e: unknown) => e)
    assert.equal((error as Error).name, 'SubprocessTrainerError')
    assert.deepEqual((error as { details?: unknown }).details, { code: 'out_of_memory' })
    assert.ok(Number.isFinite((await trainer.evaluate(data, { seqLen: 32 })).loss))
  })

  test('a crash mid-request rejects with SubprocessTrainerError naming the exit code', async () => {
    await using trainer = await start({ BIGRAM_CRASH: 'train' })
    await assert.rejects(
      trainer.train({ data, steps: 2, ...hyper }),
      (e: Error) => e.name === 'SubprocessTrainerError' && /code 3/.test(e.message),
    )
    await assert.rejects(trainer.evaluate(data), { name: 'SubprocessTrainerError' })
  })

  test('aborting mid-training rejects at once, cancels the request, and the next request works', async () => {
    await using trainer = await start({ BIGRAM_STEP_MS: '200' })
    const controller = new AbortController()
    const started = performance.now()
    const training = trainer.train({
      data,
      steps: 50,
      ...hyper,
      signal: controller.signal,
      onProgress: (e) => e.detail.step === 2 && controller.abort(),
    })
    await assert.rejects(training, { name: 'AbortedError' })
    assert.ok(performance.now() - started < 5_000)
    assert.ok(Number.isFinite((await trainer.evaluate(data, { seqLen: 32 })).loss))
  })

  test('params that do not match the declared tensors fail with ModelParamsMismatchError', async () => {
    await using trainer = await start()
    await assert.rejects(
      trainer.loadParams(new Map([['bigram.weight', { shape: [3], data: new Float32Array(3) }]])),
      {
        name: 'ModelParamsMismatchError',
      },
    )
    await assert.rejects(
      trainer.loadParams(new Map([['other.weight', { shape: [3], data: new Float32Array(3) }]])),
      {
        name: 'ModelParamsMismatchError',
      },
    )
  })

  test('a command that does not speak the protocol fails the handshake', async () => {
    await assert.rejects(
      createSubprocessTrainer({
        command: process.execPath,
        args: ['-e', 'process.stdout.write("not json\\n"); setTimeout(() => process.exit(0), 50)'],
      }),
      { name: 'SubprocessTrainerError' },
    )
    await assert.rejects(createSubprocessTrainer({ command: '/nonexistent/trainer' }), {
      name: 'SubprocessTrainerError',
    })
  })
})
