import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { positionSeed } from '../../src/inference/engine/position-seed.ts'
import { type Detokenize, TokenTextStream } from '../../src/inference/engine/token-text-stream.ts'

/** A byte-level detokenizer like the tiny models': token = byte, invalid UTF-8 becomes U+FFFD. */
const bytes: Detokenize = (tokens) => Buffer.from(tokens).toString('utf8')
const encode = (text: string): number[] => [...Buffer.from(text, 'utf8')]

function run(tokens: number[], stop: string[] = []): { chunks: string[]; stoppedAt: number | undefined } {
  const stream = new TokenTextStream(bytes, stop, [])
  const chunks: string[] = []
  for (const [i, t] of tokens.entries()) {
    const step = stream.push(t)
    chunks.push(step.text)
    if (step.stopped) return { chunks, stoppedAt: i }
  }
  chunks.push(stream.finish())
  return { chunks, stoppedAt: undefined }
}

describe('TokenTextStream', () => {
  it('holds back partial UTF-8 characters until they complete', () => {
    const { chunks } = run(encode('a🎉é'))
    assert.deepEqual(chunks, ['a', '', '', '', '🎉', '', 'é', ''])
  })

  it('releases invalid bytes as U+FFFD once a character cannot complete', () => {
    assert.equal(run([0xf0, 0x9f, 0x41]).chunks.join(''), Buffer.from([0xf0, 0x9f, 0x41]).toString('utf8'))
    assert.equal(run([0xff, 0xff, 0xff, 0xff, 0x41]).chunks.join(''), '\uFFFD\uFFFD\uFFFD\uFFFDA')
  })

  it('ends before a stop string and holds back what may start one', () => {
    const { chunks, stoppedAt } = run(encode('hello ### world'), ['###'])
    assert.equal(chunks.join(''), 'hello ')
    assert.equal(stoppedAt, 8)
    assert.deepEqual(chunks.slice(0, 7), ['h', 'e', 'l', 'l', 'o', ' ', ''])
    assert.equal(run(encode('a#b#'), ['##']).chunks.join(''), 'a#b#')
  })

  it('releases the same text after token k however the stream got there (resumption property)', () => {
    const tokens = encode('x 🎉 stop? no, STOP here')
    const full = run(tokens, ['STOP', '🎉 s'])
    for (let k = 0; k <= tokens.length; k++) {
      const resumed = new TokenTextStream(bytes, ['STOP', '🎉 s'], [])
      for (const t of tokens.slice(0, k)) resumed.push(t)
      const rest: string[] = []
      for (const t of tokens.slice(k)) {
        const step = resumed.push(t)
        rest.push(step.text)
        if (step.stopped) break
      }
      assert.equal(full.chunks.slice(0, k).join('') + rest.join(''), full.chunks.join(''), `k = ${k}`)
    }
  })
})

describe('positionSeed', () => {
  it('depends only on (seed, index), is a uint32, and spreads', () => {
    assert.equal(positionSeed(42, 7), positionSeed(42, 7))
    const seen = new Set<number>()
    for (const seed of [0, 1, 42, 2 ** 32 + 42, -1]) {
      for (let i = 0; i < 100; i++) {
        const s = positionSeed(seed, i)
        assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32)
        seen.add(s)
      }
    }
    assert.equal(seen.size, 500)
  })
})
