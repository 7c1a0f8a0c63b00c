import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fromHalf, toHalf } from '../../src/gguf/half.ts'
import {
  BYTE_VOCAB_SIZE,
  createTinyLlama,
  decodeGguf,
  decodeGgufHeader,
  encodeGguf,
  type GgufModel,
  type GgufTensorType,
} from '../../src/gguf/index.ts'

function ramp(n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale)
}

function model(type: GgufTensorType): GgufModel {
  return {
    metadata: {
      'general.architecture': 'llama',
      'llama.block_count': 3,
      'test.negative': -5,
      'test.float': 0.25,
      'test.flag': true,
      'test.names': ['a', 'bé', '🎉'],
      'test.floats': Float32Array.from([1.5, -2]),
      'test.ints': Int32Array.from([1, -1]),
      'test.u64': { type: 'uint64', value: 2n ** 40n },
      'test.i16': { type: 'int16', value: -300 },
    },
    tensors: [
      { name: 'a', shape: [64, 3], type, data: ramp(192, 2) },
      { name: 'b', shape: [32], type, data: ramp(32, 0.01) },
      { name: 'c', shape: [96, 2], type, data: ramp(192, 100) },
    ],
  }
}

describe('float16 conversion', () => {
  it('encodes known values exactly and rounds to nearest even', () => {
    assert.equal(toHalf(1), 0x3c00)
    assert.equal(toHalf(-2), 0xc000)
    assert.equal(toHalf(65504), 0x7bff)
    assert.equal(toHalf(1e6), 0x7c00)
    assert.equal(toHalf(2 ** -24), 0x0001)
    assert.equal(toHalf(1 + 2 ** -11), 0x3c00)
    assert.equal(fromHalf(0x3555), 0.333251953125)
    for (const v of [0, 0.5, -0.75, 1024, 3.140625]) assert.equal(fromHalf(toHalf(v)), v)
  })
})

describe('GGUF writer and reader', () => {
  for (const type of ['F32', 'F16', 'Q8_0'] as const) {
    it(`reads back ${type} tensors (${type === 'F32' ? 'exactly' : 'closely'})`, () => {
      const written = model(type)
      const read = decodeGguf(encodeGguf(written))
      assert.deepEqual(
        read.tensors.map((t) => [t.name, t.shape, t.type]),
        written.tensors.map((t) => [t.name, [...t.shape], t.type]),
      )
      for (const [i, t] of read.tensors.entries()) {
        const original = written.tensors[i]!.data
        const amax = Math.max(...original.map(Math.abs))
        // F16 has 11 significant bits; Q8_0 rounds to steps of amax/127 with that step stored as F16.
        const tolerance =
          type === 'F32' ? 0 : type === 'F16' ? amax * 2 ** -10 : (amax / 127) * 0.5 + amax * 2 ** -10
        for (let j = 0; j < original.length; j++) {
          assert.ok(
            Math.abs(t.data[j]! - original[j]!) <= tolerance,
            `${t.name}[${j}]: ${t.data[j]} vs ${original[j]}`,
          )
        }
      }
    })
  }

  it('types metadata: non-negative integers as uint32, and explicit types as given', () => {
    const { metadata } = decodeGguf(encodeGguf(model('F32')))
    assert.deepEqual(metadata['llama.block_count'], { type: 'uint32', value: 3 })
    assert.deepEqual(metadata['test.negative'], { type: 'int32', value: -5 })
    assert.deepEqual(metadata['test.float'], { type: 'float32', value: 0.25 })
    assert.deepEqual(metadata['test.flag'], { type: 'bool', value: true })
    assert.deepEqual(metadata['test.names'], { type: 'array', itemType: 'string', value: ['a', 'bé', '🎉'] })
    assert.deepEqual(metadata['test.floats'], { type: 'array', itemType: 'float32', value: [1.5, -2] })
    assert.deepEqual(metadata['test.ints'], { type: 'array', itemType: 'int32', value: [1, -1] })
    assert.deepEqual(metadata['test.u64'], { type: 'uint64', value: 2n ** 40n })
    assert.deepEqual(metadata['test.i16'], { type: 'int16', value: -300 })
  })

  it('re-encodes a read model byte for byte', () => {
    const bytes = encodeGguf(createTinyLlama({ seed: 3, nEmbd: 32, nLayer: 1, nHead: 2 }))
    assert.deepEqual(encodeGguf(decodeGguf(bytes)), bytes)
  })

  it('aligns the data section and every tensor to 32 bytes', () => {
    const bytes = encodeGguf(model('Q8_0'))
    const view = new DataView(bytes.buffer, bytes.byteOffset)
    assert.equal(view.getUint32(0, true), 0x46554747)
    assert.equal(view.getUint32(4, true), 3)
    const header = decodeGgufHeader(bytes)
    assert.equal(header.dataOffset % 32, 0)
    // a is 6 Q8_0 blocks (204 B) and b one block (34 B): each next tensor starts at the next multiple of 32.
    assert.deepEqual(
      header.tensors.map((t) => [t.name, t.offset, t.byteLength]),
      [
        ['a', 0, 204],
        ['b', 224, 34],
        ['c', 288, 204],
      ],
    )
    assert.equal(bytes.length, header.dataOffset + 288 + 224)
  })

  it('rejects inconsistent tensors and bad files by error name', () => {
    const bad = (tensor: GgufModel['tensors'][number]) => () =>
      encodeGguf({ metadata: {}, tensors: [tensor] })
    assert.throws(bad({ name: 'x', shape: [4, 2], type: 'F32', data: new Float32Array(7) }), {
      name: 'InvalidTensorError',
    })
    assert.throws(bad({ name: 'x', shape: [48], type: 'Q8_0', data: new Float32Array(48) }), {
      name: 'InvalidTensorError',
    })
    assert.throws(() => encodeGguf({ metadata: { k: { type: 'uint8', value: 300 } }, tensors: [] }), {
      name: 'InvalidMetadataError',
    })
    assert.throws(() => decodeGguf(new Uint8Array(64)), { name: 'GgufFormatError' })
    assert.throws(() => decodeGguf(encodeGguf(model('F32')).subarray(0, 100)), { name: 'GgufFormatError' })
  })
})

describe('createTinyLlama', () => {
  it('is deterministic in its seed', () => {
    const a = encodeGguf(createTinyLlama({ seed: 11, nEmbd: 32, nLayer: 1, nHead: 2 }))
    const b = encodeGguf(createTinyLlama({ seed: 11, nEmbd: 32, nLayer: 1, nHead: 2 }))
    const c = encodeGguf(createTinyLlama({ seed: 12, nEmbd: 32, nLayer: 1, nHead: 2 }))
    assert.deepEqual(a, b)
    assert.notDeepEqual(a, c)
  })

  it('builds the full llama tensor set with [in, out] shapes and a byte vocabulary', () => {
    const m = createTinyLlama({ seed: 1, nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 2, nFf: 96, type: 'Q8_0' })
    const byName = new Map(m.tensors.map((t) => [t.name, t]))
    assert.equal(m.tensors.length, 3 + 2 * 9)
    assert.deepEqual(byName.get('token_embd.weight')?.shape, [64, BYTE_VOCAB_SIZE])
    assert.deepEqual(byName.get('blk.1.attn_k.weight')?.shape, [64, 32])
    assert.deepEqual(byName.get('blk.0.ffn_down.weight')?.shape, [96, 64])
    assert.deepEqual(byName.get('blk.0.ffn_up.weight')?.shape, [64, 96])
    assert.equal(byName.get('output_norm.weight')?.type, 'F32')
    assert.equal(byName.get('output.weight')?.type, 'Q8_0')
    const tokens = m.metadata['tokenizer.ggml.tokens'] as string[]
    assert.deepEqual(tokens.slice(0, 4), ['<unk>', '<s>', '</s>', '<0x00>'])
    assert.equal(tokens[3 + 0xff], '<0xFF>')
    assert.equal(tokens[259], '\u2581')
    assert.equal(m.metadata['tokenizer.ggml.add_space_prefix'], false)
  })

  it('rejects widths that Q8_0 or the head layout cannot hold', () => {
    assert.throws(() => createTinyLlama({ seed: 1, nEmbd: 48 }), { name: 'InvalidTensorError' })
    assert.throws(() => createTinyLlama({ seed: 1, nEmbd: 64, nHead: 3 }), { name: 'InvalidTensorError' })
  })
})
