import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createStrategy } from '../../../src/aggregation/index.ts'
import { weightedSum } from '../../../src/aggregation/kernels/weighted-sum.ts'
import { WrappingAccumulator } from '../../../src/aggregation/kernels/wrapping-add.ts'
import { FedAdam } from '../../../src/aggregation/strategies/fedadam.ts'
import { FedAvg } from '../../../src/aggregation/strategies/fedavg.ts'
import { FedProx } from '../../../src/aggregation/strategies/fedprox.ts'
import { Krum } from '../../../src/aggregation/strategies/krum.ts'
import { TrimmedMean } from '../../../src/aggregation/strategies/trimmed-mean.ts'
import { strategyConfigSchema } from '../../../src/aggregation/strategy-config.ts'
import { globalModel, prng, randomUpdate, tensorMap } from '../fixtures.ts'

const global = globalModel(5)
const constant = (memberId: string, v: number, numExamples: number) => ({
  memberId,
  numExamples,
  tensors: tensorMap(() => v),
  metrics: { loss: v },
})

test('FedAvg weights deltas by example count and averages client metrics the same way', () => {
  const r = new FedAvg().aggregate(global, [constant('a', 1, 1), constant('b', 4, 3)])
  for (const t of r.delta.values()) for (const x of t.data) assert.ok(Math.abs(x - 3.25) < 1e-6)
  const g0 = global.get('output.weight')!.data[3]!
  assert.ok(Math.abs(r.global.get('output.weight')!.data[3]! - (g0 + 3.25)) < 1e-6)
  assert.equal(r.metrics.totalExamples, 4)
  assert.equal(r.metrics.clientMetrics.loss, 3.25)
})

test('weightedSum matches a float64 reference on ragged lengths and any number of inputs', () => {
  const r = prng(9)
  for (const [n, k] of [
    [1, 1],
    [7, 3],
    [16384 * 2 + 5, 5],
    [40001, 9],
  ] as const) {
    const inputs = Array.from({ length: k }, () => Float32Array.from({ length: n }, () => r() - 0.5))
    const w = inputs.map(() => r())
    const out = new Float32Array(n)
    weightedSum(inputs, w, out)
    for (let i = 0; i < n; i++) {
      let ref = 0
      for (let j = 0; j < k; j++) ref += w[j]! * inputs[j]![i]!
      assert.ok(Math.abs(out[i]! - ref) < 1e-5, `n=${n} k=${k} i=${i}: ${out[i]} vs ${ref}`)
    }
  }
})

test('FedProx sends proximalMu in every client config; FedAvg passes its client config through', () => {
  const prox = new FedProx({ proximalMu: 0.1, clientConfig: { localEpochs: 2 } }).configureRound({
    round: 4,
    memberIds: ['a', 'b'],
  })
  assert.deepEqual(prox.get('a'), { localEpochs: 2, round: 4, proximalMu: 0.1 })
  assert.equal(prox.size, 2)
  assert.deepEqual(
    new FedAvg({ clientConfig: { learningRate: 0.01 } })
      .configureRound({ round: 1, memberIds: ['x'] })
      .get('x'),
    {
      learningRate: 0.01,
      round: 1,
    },
  )
  assert.throws(() => new FedProx({ proximalMu: -1 }), { name: 'InvalidStrategyConfigError' })
})

test('FedAdam follows Reddi et al. and carries its moments between rounds', () => {
  const s = new FedAdam({ eta: 0.1, beta1: 0.9, beta2: 0.99, tau: 0.001 })
  const d = 0.5
  const r1 = s.aggregate(global, [constant('a', d, 1)])
  const m1 = 0.1 * d
  const v1 = 0.01 * d * d
  const g0 = global.get('token_embd.weight')!.data[0]!
  const g1 = g0 + (0.1 * m1) / (Math.sqrt(v1) + 0.001)
  assert.ok(Math.abs(r1.global.get('token_embd.weight')!.data[0]! - g1) < 1e-5)
  const r2 = s.aggregate(r1.global, [constant('a', d, 1)], r1.state)
  const m2 = 0.9 * m1 + 0.1 * d
  const v2 = 0.99 * v1 + 0.01 * d * d
  assert.ok(
    Math.abs(r2.global.get('token_embd.weight')!.data[0]! - (g1 + (0.1 * m2) / (Math.sqrt(v2) + 0.001))) <
      1e-5,
  )
  assert.equal(r2.state.step, 2)
})

test('Krum needs n >= 2f + 3 and multi-Krum reports the members it selected', () => {
  const updates = Array.from({ length: 6 }, (_, i) => randomUpdate(`m${i}`, i))
  assert.throws(() => new Krum({ f: 2 }).aggregate(global, updates.slice(0, 6)), {
    name: 'NotEnoughUpdatesError',
  })
  const r = new Krum({ f: 1, m: 3 }).aggregate(global, updates)
  assert.equal(r.metrics.selected.length, 3)
  assert.equal(new Krum({ f: 1, m: 3 }).name, 'multi-krum')
})

test('trimmed mean refuses a beta outside [0, 0.5)', () => {
  assert.throws(() => new TrimmedMean({ beta: 0.5 }), { name: 'InvalidStrategyConfigError' })
})

test('norm and size limits reject updates with named errors', () => {
  const big = constant('a', 1, 1)
  assert.throws(() => createStrategy({ kind: 'fedavg', limits: { maxNorm: 1 } }).aggregate(global, [big]), {
    name: 'UpdateNormExceededError',
    message: /L2 norm 18\.11.* above the bound 1/,
  })
  assert.throws(
    () => createStrategy({ kind: 'coordinate-median', limits: { maxBytes: 100 } }).aggregate(global, [big]),
    {
      name: 'UpdateTooLargeError',
    },
  )
})

test('strategy configs from outside are parsed with the schema', () => {
  assert.equal(strategyConfigSchema.parse({ kind: 'krum', f: 1, m: 2 }).kind, 'krum')
  assert.equal(strategyConfigSchema.safeParse({ kind: 'krum', f: -1 }).success, false)
  assert.equal(strategyConfigSchema.safeParse({ kind: 'fedsgd' }).success, false)
  assert.equal(createStrategy(strategyConfigSchema.parse({ kind: 'fedadam', eta: 0.5 })).name, 'fedadam')
})

test('WrappingAccumulator adds and subtracts mod 2^32 like a plain loop, across blocks and ragged tails', () => {
  const r = prng(11)
  for (const n of [1, 5, 65536 + 3, 200_001]) {
    const base = Uint32Array.from({ length: n + 7 }, () => Math.floor(r() * 2 ** 32))
    const source = Uint32Array.from({ length: n }, () => Math.floor(r() * 2 ** 32))
    const expected = base.slice()
    for (let i = 0; i < n; i++) expected[7 + i] = expected[7 + i]! + source[i]!
    const acc = new WrappingAccumulator(n + 7)
    acc.add(base, 1)
    acc.add(source, 1, 7)
    const back = new WrappingAccumulator(n + 7)
    back.add(expected, 1)
    back.add(source, -1, 7)
    assert.deepEqual(acc.take(), expected)
    assert.deepEqual(back.take(), base)
    assert.throws(() => acc.take(), RangeError)
    // A recycled accumulator starts from zero.
    assert.deepEqual(new WrappingAccumulator(n + 7).take(), new Uint32Array(n + 7))
  }
  assert.throws(() => new WrappingAccumulator(3).add(new Uint32Array(4), 1), RangeError)
})
