import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AnswerBudget } from '../../src/inference/serving/answer-budget.ts'
import { InferenceProtocolError } from '../../src/inference/serving/errors.ts'

const chunk = (index: number, tokens: number, text: string, finishReason?: string) => ({
  index,
  tokens: Array.from({ length: tokens }, (_, i) => i + 1),
  text,
  finishReason,
})

test('an honest answer passes: tokens up to max_tokens, a final chunk without tokens releasing held text', () => {
  const b = new AnswerBudget('p', 0, 4)
  b.take(chunk(0, 1, 'Hel'))
  b.take(chunk(1, 3, 'lo, world'))
  b.take(chunk(4, 0, '!', 'length'))
})

test('each protocol breach throws InferenceProtocolError', () => {
  const cases: [string, (b: AnswerBudget) => void][] = [
    ['zero-token chunk before the end', (b) => b.take(chunk(0, 0, 'x'))],
    ['past max_tokens', (b) => b.take(chunk(0, 5, 'x'))],
    ['wrong index', (b) => b.take(chunk(3, 1, 'x'))],
    ['text beyond its tokens', (b) => b.take(chunk(0, 1, 'x'.repeat(65)))],
    ['text beyond its tokens in the final chunk', (b) => b.take(chunk(0, 0, 'x'.repeat(10), 'eos'))],
    ['multi-byte text beyond its tokens', (b) => b.take(chunk(0, 1, '€'.repeat(22)))],
  ]
  for (const [name, run] of cases) {
    assert.throws(() => run(new AnswerBudget('p', 0, 4)), InferenceProtocolError, name)
  }
})

test('a resuming peer counts the tokens generated before it and gets 1 KiB of slack for held-back text', () => {
  const b = new AnswerBudget('p', 3, 4)
  b.take(chunk(3, 1, 'x'.repeat(64 + 1024)))
  assert.throws(() => b.take(chunk(4, 1, 'y')), InferenceProtocolError)
})
