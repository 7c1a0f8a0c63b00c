import assert from 'node:assert/strict'
import { test } from 'node:test'
import { attestInput, formatFixedPoint, parseInput, proposeInput } from '../../src/governance/index.ts'

test('evaluation values are decimals with at most 6 places, held as fixed point, and format back', () => {
  const value = (v: string | number) =>
    parseInput(attestInput, { model: 'm', versionId: 1, evaluation: 'perplexity', value: v }).value
  assert.equal(value('30.5'), 30_500_000n)
  assert.equal(value(0.9), 900_000n)
  assert.equal(value('-1.000001'), -1_000_001n)
  assert.equal(formatFixedPoint(30_500_000n), '30.5')
  assert.equal(formatFixedPoint(-1_000_001n), '-1.000001')
  assert.equal(formatFixedPoint(0n), '0')
  for (const bad of ['1.0000001', 'NaN', '1e5', '', ' ', '0x10', 'Infinity'])
    assert.throws(
      () => value(bad),
      (e: Error) => e.name === 'InvalidInputError' && /value/.test(e.message),
      bad,
    )
  assert.throws(
    () => parseInput(attestInput, { model: 'm', versionId: 1, evaluation: 'a b', value: 1 }),
    /evaluation name/,
  )
})

test('a release policy is at most 8 requirements, each with a bound and at least one attestation', () => {
  const policy = (requirements: unknown[]) =>
    parseInput(proposeInput, { model: 'm', kind: 'set-release-policy', requirements })
  const ok = policy([{ evaluation: 'perplexity', bound: 'max', threshold: '40' }])
  assert.equal(ok.kind === 'set-release-policy' && ok.requirements[0]?.attestations, 1)
  assert.throws(() => policy([{ evaluation: 'perplexity', bound: 'below', threshold: '40' }]), /bound/)
  assert.throws(
    () => policy([{ evaluation: 'perplexity', bound: 'max', threshold: '40', attestations: 0 }]),
    /at least one/,
  )
  const many = Array.from({ length: 9 }, (_, i) => ({ evaluation: `e${i}`, bound: 'min', threshold: 1 }))
  assert.throws(() => policy(many), /at most 8/)
})
