import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { BYTE_VOCAB_SPECIAL, readGguf, readGgufHeader } from '../../src/gguf/index.ts'
import { Xoshiro128 } from '../../src/seeded-random.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import { testLlama, UTF8_SAMPLES, writeTinyModel } from './fixtures.ts'

const dir = await tmpDir('commons-gguf-')
after(() => dir[Symbol.asyncDispose]())

describe('tiny GGUF models in llama.cpp', () => {
  for (const type of ['F32', 'F16', 'Q8_0'] as const) {
    it(`loads a ${type} model and generates varied text from it`, async () => {
      const source = await writeTinyModel(dir.path, {
        seed: 5,
        type,
        nEmbd: 64,
        nLayer: 2,
        nHead: 4,
        nHeadKv: 2,
      })
      const llama = await testLlama()
      const model = await llama.loadModel({ modelPath: source.path })
      const context = await model.createContext({ contextSize: 256, threads: 1, sequences: 1 })
      try {
        assert.equal(model.fileInfo.metadata.general.architecture, 'llama')
        assert.equal(model.embeddingVectorSize, 64)
        const sequence = context.getSequence()
        const out: number[] = []
        for await (const token of sequence.evaluate([model.tokens.bos!, ...model.tokenize('Once upon')], {
          temperature: 0,
        })) {
          out.push(token)
          if (out.length === 48) break
        }
        assert.equal(out.length, 48)
        assert.ok(new Set(out).size >= 8, `only ${new Set(out).size} distinct tokens: ${out.join(',')}`)
        const header = await readGgufHeader(source.path)
        assert.equal(header.tensors.find((t) => t.name === 'output.weight')?.type, type)
      } finally {
        await context.dispose()
        await model.dispose()
      }
    })
  }

  it('tokenizes arbitrary UTF-8 into byte tokens and back exactly', async () => {
    const source = await writeTinyModel(dir.path, { seed: 6 })
    const model = await (await testLlama()).loadModel({ modelPath: source.path, vocabOnly: true })
    try {
      for (const text of UTF8_SAMPLES) {
        const tokens = model.tokenize(text)
        assert.equal(model.detokenize(tokens), text, JSON.stringify(text))
      }
      // One token per UTF-8 byte, except that ' ' becomes the ▁ piece.
      assert.deepEqual(model.tokenize('a é'), [3 + 0x61, BYTE_VOCAB_SPECIAL.space, 3 + 0xc3, 3 + 0xa9])
      assert.deepEqual(model.tokenize('🎉').length, 4)
      assert.equal(model.tokens.bos, BYTE_VOCAB_SPECIAL.bos)
      assert.equal(model.tokens.eos, BYTE_VOCAB_SPECIAL.eos)
      // 300 random strings over all of Unicode (but lone surrogates, which are not UTF-8, and ▁).
      const rng = new Xoshiro128(2026)
      for (let n = 0; n < 300; n++) {
        let text = ''
        for (let i = 0, len = rng.nextUint32() % 24; i < len; i++) {
          const pick = rng.next()
          const cp =
            pick < 0.4
              ? 0x09 + (rng.nextUint32() % 0x77)
              : pick < 0.7
                ? 0x80 + (rng.nextUint32() % 0xd780)
                : pick < 0.8
                  ? 0xe000 + (rng.nextUint32() % 0x2000)
                  : 0x10000 + (rng.nextUint32() % 0x100000)
          if (cp !== 0x2581) text += String.fromCodePoint(cp)
        }
        assert.equal(model.detokenize(model.tokenize(text)), text, JSON.stringify(text))
      }
    } finally {
      await model.dispose()
    }
  })

  it('reads back a written model with the tensors llama.cpp expects', async () => {
    const source = await writeTinyModel(dir.path, { seed: 8, type: 'F16', nLayer: 1 })
    const model = await readGguf(source.path)
    assert.deepEqual(
      model.tensors.map((t) => t.name),
      [
        'token_embd.weight',
        'blk.0.attn_norm.weight',
        'blk.0.attn_q.weight',
        'blk.0.attn_k.weight',
        'blk.0.attn_v.weight',
        'blk.0.attn_output.weight',
        'blk.0.ffn_norm.weight',
        'blk.0.ffn_gate.weight',
        'blk.0.ffn_up.weight',
        'blk.0.ffn_down.weight',
        'output_norm.weight',
        'output.weight',
      ],
    )
    assert.deepEqual(model.metadata['llama.block_count'], { type: 'uint32', value: 1 })
    assert.deepEqual(model.metadata['tokenizer.ggml.add_space_prefix'], { type: 'bool', value: false })
  })
})
