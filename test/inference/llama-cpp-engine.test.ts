import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { BYTE_VOCAB_SPECIAL, createTinyLlama, writeGguf } from '../../src/gguf/index.ts'
import { createInferenceEngine, type ModelSource } from '../../src/inference/index.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { collect, engineComplianceSuite } from './engine-compliance.ts'
import { testLlama, writeTinyModel } from './fixtures.ts'

const dir = await tmpDir('commons-engine-')
const source: ModelSource = await writeTinyModel(dir.path, { seed: 21, nEmbd: 64, nLayer: 2, type: 'Q8_0' })
const llama = await testLlama()

after(() => dir[Symbol.asyncDispose]())

engineComplianceSuite('LlamaCppEngine', () =>
  createInferenceEngine(source, { threads: 1, sequences: 2, contextSize: 256 }, { llama }),
)

describe('LlamaCppEngine', () => {
  let f32: ModelSource
  before(async () => {
    f32 = await writeTinyModel(dir.path, { seed: 21, nEmbd: 64, nLayer: 2, type: 'F32' })
  })

  it('uses the configured sequences and context size and the fixed chat template for tiny models', async () => {
    await using engine = await createInferenceEngine(
      f32,
      { threads: 1, sequences: 3, contextSize: 512 },
      { llama },
    )
    assert.equal(engine.info.parallelSequences, 3)
    assert.equal(engine.info.contextSize, 512)
    assert.equal(engine.info.chatTemplate, 'fixed')
    assert.equal(engine.info.architecture, 'llama')
    assert.equal(engine.info.vocabularySize, 260)
  })

  it("renders chats with the model's own template when the GGUF has one", async () => {
    const model = createTinyLlama({ seed: 3, nEmbd: 64, nLayer: 1 })
    model.metadata['tokenizer.chat_template'] =
      "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}</s>\n{% endfor %}" +
      '{% if add_generation_prompt %}<|assistant|>\n{% endif %}'
    const path = join(dir.path, 'chat.gguf')
    await writeGguf(path, model)
    await using engine = await createInferenceEngine(
      { path, contentRoot: 'chat' },
      { threads: 1, sequences: 1, contextSize: 256 },
      { llama },
    )
    assert.equal(engine.info.chatTemplate, 'model')
    const chat = await engine.applyChatTemplate([
      { role: 'user', content: 'Hi 👋' },
      { role: 'assistant', content: 'Hello' },
      { role: 'user', content: 'More?' },
    ])
    // </s> renders as the EOS special token, which detokenizes to nothing.
    assert.equal(
      await engine.detokenize(chat.prompt),
      '<|user|>\nHi 👋\n<|assistant|>\nHello\n<|user|>\nMore?\n<|assistant|>\n',
    )
    assert.equal(chat.prompt.filter((t) => t === BYTE_VOCAB_SPECIAL.eos).length, 3)
  })

  it('caps generation at the context size', async () => {
    // llama.cpp rounds context sizes up to a multiple of 256.
    await using engine = await createInferenceEngine(
      f32,
      { threads: 1, sequences: 1, contextSize: 256 },
      { llama },
    )
    const prompt = await engine.tokenize('x'.repeat(220), { addBos: true })
    const run = await collect(engine.generate({ prompt, maxTokens: 500 }))
    assert.equal(prompt.length + run.tokens.length, 256)
    assert.equal(run.chunks.at(-1)?.finishReason, 'length')
    await assert.rejects(collect(engine.generate({ prompt: 'y'.repeat(300) })), {
      name: 'ContextOverflowError',
    })
  })

  it('rejects empty prompts and tokens outside the vocabulary', async () => {
    await using engine = await createInferenceEngine(
      f32,
      { threads: 1, sequences: 1, contextSize: 256 },
      { llama },
    )
    await assert.rejects(collect(engine.generate({ prompt: [] })), { name: 'InvalidInputError' })
    await assert.rejects(collect(engine.generate({ prompt: [1, 260] })), { name: 'InvalidInputError' })
    await assert.rejects(collect(engine.resume({ prompt: [1, 70] }, [-1])), { name: 'InvalidInputError' })
  })

  it('rejects a waiting request when aborted in the queue', async () => {
    await using engine = await createInferenceEngine(
      f32,
      { threads: 1, sequences: 1, contextSize: 128 },
      { llama },
    )
    const busy = engine.generate({ prompt: 'busy', maxTokens: 60 })[Symbol.asyncIterator]()
    await busy.next()
    const controller = new AbortController()
    const waiting = collect(engine.generate({ prompt: 'queued', signal: controller.signal }))
    controller.abort()
    await assert.rejects(waiting, { name: 'AbortedError' })
    await busy.return?.()
  })

  it('reports missing and unreadable model files by error name', async () => {
    await assert.rejects(
      createInferenceEngine({ path: join(dir.path, 'nope.gguf'), contentRoot: 'x' }, {}, { llama }),
      {
        name: 'ModelFileNotFoundError',
      },
    )
    const junk = join(dir.path, 'junk.gguf')
    await writeFile(junk, 'not a model at all')
    await assert.rejects(createInferenceEngine({ path: junk, contentRoot: 'x' }, {}, { llama }), {
      name: 'ModelLoadError',
    })
  })
})
