import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { createTinyLlama, encodeGguf } from '../../src/gguf/index.ts'
import { checkModelLoads } from '../../src/inference/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { testLlama, writeTinyModel } from './fixtures.ts'

test('checkModelLoads passes a tiny llama and refuses truncated, headless and tensorless files with the reason', async () => {
  await using dir = await tmpDir()
  const llama = await testLlama()
  const good = await writeTinyModel(dir.path, { seed: 3 })
  await checkModelLoads(good.path, { llama })

  const bytes = await readFile(good.path)
  const refused = async (name: string, data: Uint8Array, reason: RegExp) => {
    const path = join(dir.path, name)
    await writeFile(path, data)
    await assert.rejects(checkModelLoads(path, { llama }), (e: Error) => {
      assert.equal(e.name, 'UnloadableModelError')
      assert.match(e.message, reason)
      return true
    })
  }
  await refused('truncated.gguf', bytes.subarray(0, bytes.length - 4096), /runs past the end of the file/)
  await refused('header-only.gguf', bytes.subarray(0, 64), /truncated/)
  const noTensors = encodeGguf({ metadata: createTinyLlama({ seed: 3 }).metadata, tensors: [] })
  await refused('no-tensors.gguf', noTensors, /no tensors/)
  // A valid container whose tensors llama.cpp cannot use (a block missing): refused by the real load.
  const model = createTinyLlama({ seed: 3, nEmbd: 64, nLayer: 2, nHead: 4 })
  const missing = encodeGguf({
    ...model,
    tensors: model.tensors.filter((t) => t.name !== 'blk.1.ffn_up.weight'),
  })
  await refused('missing-tensor.gguf', missing, /llama\.cpp refused it/)
})
