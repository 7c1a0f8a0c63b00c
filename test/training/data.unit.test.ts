import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { BYTE_VOCAB_SPECIAL } from '../../src/gguf/index.ts'
import { bytesToTokens, textToTokens, tokensToBytes } from '../../src/training/data/byte-tokens.ts'
import { BUNDLED_CORPUS_PATH } from '../../src/training/data/constants.ts'
import { loadCorpus } from '../../src/training/data/corpus-loader.ts'
import { partitionCorpus, splitCorpus } from '../../src/training/data/corpus-split.ts'
import { splitSequences, toTokenDataset, WindowSampler } from '../../src/training/data/token-dataset.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

describe('federated data', () => {
  test('byte tokens follow the GGUF byte vocabulary: byte b → b+3, space → ▁ (259), and round-trip', () => {
    assert.deepEqual(Array.from(textToTokens('A b\n')), [
      0x41 + 3,
      BYTE_VOCAB_SPECIAL.space,
      0x62 + 3,
      0x0a + 3,
    ])
    const all = Uint8Array.from({ length: 256 }, (_, i) => i)
    const tokens = bytesToTokens(all)
    assert.ok(tokens.every((t) => t >= 3 && t <= 259))
    assert.deepEqual(tokensToBytes(tokens), all)
    assert.equal(text(tokensToBytes(textToTokens('naïve café'))), 'naïve café')
  })

  test('loads a file, or a folder of .txt/.md files in sorted order joined by a blank line', async () => {
    await using dir = await tmpDir()
    await mkdir(join(dir.path, 'sub'))
    await writeFile(join(dir.path, 'b.txt'), 'second')
    await writeFile(join(dir.path, 'a.md'), 'first')
    await writeFile(join(dir.path, 'sub', 'c.txt'), 'third')
    await writeFile(join(dir.path, 'skip.bin'), 'binary')
    const events: string[] = []
    const corpus = await loadCorpus(dir.path, { onProgress: (e) => events.push(e.type) })
    assert.equal(text(corpus.bytes), 'first\n\nsecond\n\nthird')
    assert.deepEqual(events, ['training:file:read', 'training:file:read', 'training:file:read'])
    assert.equal(text((await loadCorpus(join(dir.path, 'b.txt'))).bytes), 'second')
    await assert.rejects(loadCorpus(join(dir.path, 'missing')), { name: 'CorpusNotFoundError' })
    await mkdir(join(dir.path, 'empty'))
    await assert.rejects(loadCorpus(join(dir.path, 'empty')), { name: 'CorpusNotFoundError' })
  })

  test('the bundled corpus is Pride and Prejudice, a few hundred KB', async () => {
    const corpus = await loadCorpus(BUNDLED_CORPUS_PATH)
    assert.ok(corpus.bytes.length > 200_000 && corpus.bytes.length < 400_000)
    assert.match(text(corpus.bytes.subarray(0, 200)), /PRIDE AND PREJUDICE/)
  })

  test('the held-out split is deterministic, disjoint, complete and interleaved', () => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i % 251)
    const corpus = { name: 'x', bytes }
    const a = splitCorpus(corpus, { heldOutFraction: 0.1, blockBytes: 1000 })
    const b = splitCorpus(corpus, { heldOutFraction: 0.1, blockBytes: 1000 })
    assert.deepEqual(a, b)
    assert.equal(a.train.bytes.length + a.heldOut.bytes.length, bytes.length)
    assert.equal(a.heldOut.bytes.length, 10_000)
    // Held-out blocks come from across the corpus, not just its end.
    const positions: number[] = []
    for (let blk = 0; blk < 100; blk++) {
      const block = bytes.subarray(blk * 1000, blk * 1000 + 1000)
      for (let h = 0; h < 10; h++)
        if (a.heldOut.bytes.subarray(h * 1000, h * 1000 + 1000).every((v, i) => v === block[i]))
          positions.push(blk)
    }
    assert.ok(positions[0]! < 20 && positions.at(-1)! > 80, `held-out blocks at ${positions}`)
    assert.throws(() => splitCorpus(corpus, { heldOutFraction: 1.5 }), { name: 'InvalidInputError' })
    assert.throws(() => splitCorpus({ name: 's', bytes: new Uint8Array(10) }), {
      name: 'CorpusTooSmallError',
    })
  })

  test('partitions into N contiguous shards cut after newlines, covering the corpus exactly', () => {
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i} ${'x'.repeat(i % 17)}`).join('\n')
    const corpus = { name: 'c', bytes: new TextEncoder().encode(lines) }
    const shards = partitionCorpus(corpus, 3)
    assert.equal(shards.length, 3)
    assert.equal(shards.map((s) => text(s.bytes)).join(''), lines)
    for (const s of shards.slice(0, -1)) assert.equal(s.bytes.at(-1), 0x0a)
    const sizes = shards.map((s) => s.bytes.length)
    assert.ok(Math.max(...sizes) - Math.min(...sizes) < corpus.bytes.length / 10, `sizes ${sizes}`)
    assert.deepEqual(partitionCorpus(corpus, 3), shards)
    assert.throws(() => partitionCorpus(corpus, 0), { name: 'InvalidInputError' })
  })

  test('sequences and the window sampler are deterministic and stay in range', () => {
    const data = toTokenDataset({ name: 't', bytes: new TextEncoder().encode('abcdefghij') })
    assert.deepEqual(
      splitSequences(data, 4).map((s) => Array.from(tokensToBytes(s))),
      [
        [97, 98, 99, 100],
        [101, 102, 103, 104],
      ],
    )
    const a = new WindowSampler(data, 4, 1).sample(50)
    assert.deepEqual(new WindowSampler(data, 4, 1).sample(50), a)
    assert.notDeepEqual(new WindowSampler(data, 4, 2).sample(50), a)
    for (let w = 0; w < 50; w++) {
      const first = a[w * 4]!
      for (let i = 1; i < 4; i++) assert.equal(a[w * 4 + i], first + i)
    }
    assert.throws(() => new WindowSampler(data, 11, 0), { name: 'CorpusTooSmallError' })
  })
})
