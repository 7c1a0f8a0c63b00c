import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { InferenceEngine } from '../../src/inference/index.ts'
import { LoadFailures } from '../../src/inference/models/load-failures.ts'
import type { ResolvedModel } from '../../src/inference/models/model-resolver.ts'
import { ModelServer } from '../../src/inference/models/model-server.ts'
import { LoadedModels } from '../../src/inference/serving/local-models.ts'
import { silentLogger } from '../../src/log.ts'

const ROOT = `0x${'ab'.repeat(32)}`

test('the same weights published again as a new version (after a revoke) are announced as that version, without reloading', async () => {
  let published: ResolvedModel = {
    modelName: 'm',
    modelId: '1',
    versionId: '1',
    contentRoot: ROOT,
    created: 1,
  }
  const engines: { disposed: boolean }[] = []
  const loaded = new LoadedModels()
  const server = new ModelServer({
    resolver: { resolve: async () => published, list: async () => [published] },
    store: { has: () => true, missingChunks: () => [], export: async () => undefined } as never,
    loaded,
    fetch: async () => undefined,
    createEngine: async () => {
      const engine = {
        disposed: false,
        dispose: async () => {
          engine.disposed = true
        },
      }
      engines.push(engine)
      return engine as unknown as InferenceEngine
    },
    failures: new LoadFailures(),
    servingList: async () => ['m'],
    modelsDir: '/nonexistent-models-dir',
    log: silentLogger,
  })
  await server.refresh()
  assert.deepEqual(
    server.serves().map((m) => m.versionId),
    ['1'],
  )

  published = { ...published, versionId: '2', created: 2 }
  await server.refresh()
  assert.deepEqual(
    server.serves().map((m) => m.versionId),
    ['2'],
    'peers route version 2 to the node that announces it',
  )
  assert.equal(engines.length, 1, 'the loaded engine serves the new version: same content root')
  assert.equal(engines[0]!.disposed, false)
  assert.ok(loaded.get(ROOT))
})
