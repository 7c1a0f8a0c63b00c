import assert from 'node:assert/strict'
import { test } from 'node:test'
import { clipUpdate } from '../../../src/aggregation/privacy/clip-update.ts'
import {
  addGaussianNoise,
  distributedNoiseStd,
  fillGaussian,
} from '../../../src/aggregation/privacy/gaussian-noise.ts'
import { PrivacyLedger } from '../../../src/aggregation/privacy/privacy-ledger.ts'
import { computeEpsilon, gaussianRdp } from '../../../src/aggregation/privacy/rdp-accountant.ts'
import { l2Norm } from '../../../src/aggregation/tensor-map.ts'
import { randomUpdate, tensorMap } from '../fixtures.ts'

test('sigma = 1, one step, delta = 1e-5 gives epsilon in the textbook range', () => {
  // Classic analysis sqrt(2 ln(1.25 / delta)) / sigma = 4.84; the RDP bound with the tight conversion is ~4.75.
  const eps = computeEpsilon({ noiseMultiplier: 1, sampleRate: 1, steps: 1 }, 1e-5)
  assert.ok(eps > 4.5 && eps < 4.84, `epsilon ${eps}`)
})

test('DP-SGD on MNIST (Abadi et al. 2016: q = 256/60000, sigma = 1.1, 60 epochs) lands near the published ~2.9', () => {
  const steps = Math.round((60 * 60000) / 256)
  const eps = computeEpsilon({ noiseMultiplier: 1.1, sampleRate: 256 / 60000, steps }, 1e-5)
  assert.ok(eps > 2.3 && eps < 3.1, `epsilon ${eps}`)
})

test('subsampled RDP equals the plain Gaussian at q = 1 and shrinks with q', () => {
  for (const alpha of [2, 5, 32]) {
    assert.ok(Math.abs(gaussianRdp(1.3, 1, alpha) - alpha / (2 * 1.69)) < 1e-12)
    assert.ok(gaussianRdp(1.3, 0.1, alpha) < gaussianRdp(1.3, 1, alpha))
  }
  // q -> 1 through the integer-order sum agrees with the closed form.
  assert.ok(Math.abs(gaussianRdp(2, 1 - 1e-12, 4) - 4 / 8) < 1e-6)
})

test('epsilon grows with steps and shrinks with noise', () => {
  let prev = 0
  for (const steps of [1, 2, 5, 10, 100, 1000]) {
    const eps = computeEpsilon({ noiseMultiplier: 1.5, sampleRate: 0.05, steps }, 1e-5)
    assert.ok(eps > prev, `steps=${steps}: ${eps} <= ${prev}`)
    prev = eps
  }
  const lo = computeEpsilon({ noiseMultiplier: 4, sampleRate: 1, steps: 10 }, 1e-5)
  const hi = computeEpsilon({ noiseMultiplier: 2, sampleRate: 1, steps: 10 }, 1e-5)
  assert.ok(lo < hi)
})

test('clipping bounds the norm and leaves small updates alone', () => {
  const big = { tensors: tensorMap((_, i) => (i % 7) - 3) }
  const { tensors, norm, factor } = clipUpdate(big.tensors, 2)
  assert.ok(norm > 2 && factor < 1)
  assert.ok(l2Norm(tensors) <= 2, `clipped norm ${l2Norm(tensors)}`)
  assert.ok(l2Norm(tensors) > 2 * (1 - 1e-5))
  const small = randomUpdate('a', 1).tensors
  const same = clipUpdate(small, 1e6)
  assert.equal(same.factor, 1)
  for (const [name, t] of small) assert.deepEqual(same.tensors.get(name)!.data, t.data)
  assert.throws(() => clipUpdate(small, 0), { name: 'InvalidPrivacyParamsError' })
})

test('Gaussian noise has mean 0 and standard deviation sigma * C', () => {
  const sigma = 1.1
  const clip = 0.5
  const n = 1_000_000
  const x = new Float32Array(n)
  const t0 = performance.now()
  fillGaussian(x, sigma * clip)
  const ms = performance.now() - t0
  let s = 0
  let ss = 0
  let s4 = 0
  for (const v of x) {
    s += v
    ss += v * v
  }
  const mean = s / n
  const std = Math.sqrt(ss / n - mean * mean)
  for (const v of x) s4 += ((v - mean) / std) ** 4
  // Standard errors at n = 1e6: mean ~0.00055, std ~0.0004 (relative 0.07%); kurtosis of a normal is 3.
  assert.ok(Math.abs(mean) < 0.003, `mean ${mean}`)
  assert.ok(Math.abs(std / (sigma * clip) - 1) < 0.005, `std ${std}`)
  assert.ok(Math.abs(s4 / n - 3) < 0.05, `kurtosis ${s4 / n}`)
  assert.ok(ms < 2000, `1M samples took ${ms} ms`)
  const noisy = addGaussianNoise(
    tensorMap(() => 1),
    0.1,
  )
  assert.notDeepEqual(noisy.get('output.weight')!.data, new Float32Array(128).fill(1))
})

test('the ledger records spent epsilon per member and refuses a round that would exceed a budget', () => {
  const ledger = new PrivacyLedger({ delta: 1e-5, defaultBudget: 3, budgets: { frugal: 1.5 } })
  const mech = { noiseMultiplier: 3, sampleRate: 1, steps: 1 }
  ledger.charge(1, ['a', 'frugal'], mech)
  const one = ledger.spentEpsilon('a')
  assert.ok(one > 0 && one < 1.5)
  assert.equal(ledger.spentEpsilon('frugal'), one)
  assert.equal(ledger.spentEpsilon('never'), 0)
  // A second round fits 'a' but not 'frugal': nothing is recorded for anyone.
  assert.ok(ledger.epsilonAfter('a', mech) <= 3 && ledger.epsilonAfter('frugal', mech) > 1.5)
  assert.throws(
    () => ledger.charge(2, ['a', 'frugal'], mech),
    (e: Error & { details?: Record<string, unknown> }) => {
      assert.equal(e.name, 'PrivacyBudgetExceededError')
      assert.match(e.message, /frugal/)
      assert.doesNotMatch(e.message, /\ba \(/)
      return true
    },
  )
  assert.equal(ledger.spentEpsilon('a'), one)
  ledger.charge(2, ['a'], mech)
  assert.ok(ledger.spentEpsilon('a') > one)
  assert.equal(ledger.chargesOf('a').length, 2)

  const restored = PrivacyLedger.fromJSON(JSON.parse(JSON.stringify(ledger)))
  assert.equal(restored.spentEpsilon('a'), ledger.spentEpsilon('a'))
  assert.equal(restored.budgetOf('frugal'), 1.5)
  assert.deepEqual(restored.toJSON(), ledger.toJSON())
  assert.throws(() => PrivacyLedger.fromJSON({ version: 2 }), { name: 'InvalidPrivacyParamsError' })
})

test('distributed noise: t members each adding std z C / sqrt(t) sum to std z C', () => {
  const t = 4
  const per = distributedNoiseStd(1.2, 0.5, t)
  assert.ok(Math.abs(per * Math.sqrt(t) - 0.6) < 1e-12)
  const n = 200_000
  const sum = new Float64Array(n)
  const x = new Float32Array(n)
  for (let k = 0; k < t; k++) {
    fillGaussian(x, per)
    for (let i = 0; i < n; i++) sum[i]! += x[i]!
  }
  let ss = 0
  for (const v of sum) ss += v * v
  assert.ok(Math.abs(Math.sqrt(ss / n) / 0.6 - 1) < 0.01)
  assert.throws(() => distributedNoiseStd(1, 1, 0), { name: 'InvalidPrivacyParamsError' })
})
