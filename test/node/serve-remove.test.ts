import assert from 'node:assert/strict'
import { test } from 'node:test'
import OpenAI from 'openai'
import { ApiKeyStore } from '../../src/api/index.ts'
import { dataDirLayout } from '../../src/node/data-dir.ts'
import { runCli, startNodeProcess } from '../helpers/cli.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

test('`commons serve --remove` on a running node unloads the model at once; serving it again loads it back', async () => {
  await using dir = await tmpDir()
  const node = await startNodeProcess(dir.path)
  try {
    const key = (await new ApiKeyStore({ path: dataDirLayout(dir.path).apiKeys }).create({ label: 'x' })).key
    const client = new OpenAI({ baseURL: `${node.apiUrl}/v1`, apiKey: key, maxRetries: 0 })
    const ask = () => client.completions.create({ model: 'commons-demo', prompt: 'hi', max_tokens: 2 })
    const loaded = async () =>
      Number(/^commons_models_loaded (\d+)$/m.exec(await (await fetch(`${node.apiUrl}/metrics`)).text())?.[1])
    await ask()
    assert.equal(await loaded(), 1)

    const removed = await runCli(dir.path, ['--json', 'serve', 'commons-demo', '--remove'])
    assert.equal(removed.code, 0, removed.stderr)
    assert.deepEqual(removed.json.models, [])
    // The periodic refresh is 30 s away: the removal takes effect at once (within 2 s).
    for (let i = 0; i < 20 && (await loaded()) !== 0; i++) await new Promise((r) => setTimeout(r, 100))
    assert.equal(await loaded(), 0, 'the engine is unloaded')
    await assert.rejects(ask(), (e: InstanceType<typeof OpenAI.APIError>) => e.status === 503)

    assert.equal((await runCli(dir.path, ['serve', 'commons-demo'])).code, 0)
    for (let i = 0; i < 100 && (await loaded()) === 0; i++) await new Promise((r) => setTimeout(r, 100))
    await ask()
  } finally {
    await node.stop()
  }
})
