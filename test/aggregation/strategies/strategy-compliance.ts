import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Strategy } from '../../../src/aggregation/strategy.ts'
import type { Tensor } from '../../../src/aggregation/tensor-map.ts'
import { asMember, globalModel, maxDiff, randomUpdate } from '../fixtures.ts'

/** A strategy under test and how it turns an aggregated delta into the next global model. */
export interface ComplianceCase {
  readonly name: string
  readonly create: () => Strategy
  /** Smallest batch the rule accepts (Krum: 2f + 3). */
  readonly minUpdates: number
  /** True when new global = global + delta (all but FedAdam). */
  readonly appliesDelta: boolean
}

/** The shared suite every Strategy must pass (js-libp2p interface-compliance style). */
export function strategyCompliance(c: ComplianceCase): void {
  describe(`Strategy compliance: ${c.name}`, () => {
    const global = globalModel(1)
    const n = Math.max(c.minUpdates, 5)

    test('identical updates aggregate to that update', () => {
      const u = randomUpdate('m0', 7)
      const updates = Array.from({ length: n }, (_, i) => asMember(u, `m${i}`, 5 + i))
      const r = c.create().aggregate(global, updates)
      assert.ok(maxDiff(r.delta, u.tensors) < 1e-7, `delta differs by ${maxDiff(r.delta, u.tensors)}`)
      if (c.appliesDelta) {
        const expected = new Map<string, Tensor>()
        for (const [name, t] of global) {
          const d = u.tensors.get(name)!.data
          expected.set(name, { shape: t.shape, data: t.data.map((x, i) => x + d[i]!) })
        }
        assert.ok(maxDiff(r.global, expected) < 1e-6)
      }
      assert.equal(r.metrics.numUpdates, n)
      assert.equal(r.state.step, 1)
    })

    test('output keeps the global model names, order and shapes, and inputs are not mutated', () => {
      const updates = Array.from({ length: n }, (_, i) => randomUpdate(`m${i}`, 100 + i))
      const before = updates.map((u) => [...u.tensors.values()].map((t) => t.data.slice()))
      const globalBefore = [...global.values()].map((t) => t.data.slice())
      const r = c.create().aggregate(global, updates)
      for (const out of [r.global, r.delta]) {
        assert.deepEqual([...out.keys()], [...global.keys()])
        for (const [name, t] of global) {
          assert.deepEqual(out.get(name)!.shape, t.shape)
          assert.equal(out.get(name)!.data.length, t.data.length)
        }
      }
      for (const [k, u] of updates.entries()) {
        for (const [j, t] of [...u.tensors.values()].entries()) assert.deepEqual(t.data, before[k]![j])
      }
      for (const [j, t] of [...global.values()].entries()) assert.deepEqual(t.data, globalBefore[j])
    })

    test('is deterministic', () => {
      const updates = Array.from({ length: n }, (_, i) => randomUpdate(`m${i}`, 200 + i, 3 + i))
      const a = c.create().aggregate(global, updates)
      const b = c.create().aggregate(global, updates)
      for (const [name, t] of a.global) assert.deepEqual(t.data, b.global.get(name)!.data)
      assert.deepEqual(a.metrics, b.metrics)
    })

    test('rejects invalid updates with named errors', () => {
      const ok = Array.from({ length: n }, (_, i) => randomUpdate(`m${i}`, 300 + i))
      const s = c.create()
      const withBad = (bad: (typeof ok)[number]) => [...ok.slice(0, n - 1), bad]
      const nan = randomUpdate(`m${n - 1}`, 1)
      nan.tensors.get('blk.0.attn_q.weight')!.data[5] = Number.NaN
      assert.throws(() => s.aggregate(global, withBad(nan)), { name: 'UpdateNotFiniteError' })
      const inf = randomUpdate(`m${n - 1}`, 2)
      inf.tensors.get('output.weight')!.data[0] = Number.POSITIVE_INFINITY
      assert.throws(() => s.aggregate(global, withBad(inf)), { name: 'UpdateNotFiniteError' })
      const wrongShape = randomUpdate(`m${n - 1}`, 3)
      ;(wrongShape.tensors as Map<string, Tensor>).set('blk.0.attn_norm.weight', {
        shape: [9],
        data: new Float32Array(9),
      })
      assert.throws(() => s.aggregate(global, withBad(wrongShape)), { name: 'UpdateShapeMismatchError' })
      const extra = randomUpdate(`m${n - 1}`, 4)
      ;(extra.tensors as Map<string, Tensor>).set('blk.9.ffn_up.weight', {
        shape: [1],
        data: new Float32Array(1),
      })
      assert.throws(() => s.aggregate(global, withBad(extra)), { name: 'UnknownTensorError' })
      const missing = randomUpdate(`m${n - 1}`, 5)
      ;(missing.tensors as Map<string, Tensor>).delete('output.weight')
      assert.throws(() => s.aggregate(global, withBad(missing)), { name: 'MissingTensorError' })
      assert.throws(() => s.aggregate(global, withBad({ ...randomUpdate(`m${n - 1}`, 6), numExamples: 0 })), {
        name: 'InvalidExampleCountError',
      })
      assert.throws(() => s.aggregate(global, withBad(asMember(ok[0]!, 'm0'))), {
        name: 'DuplicateUpdateError',
      })
      assert.throws(() => s.aggregate(global, []), { name: 'NotEnoughUpdatesError' })
    })
  })
}
