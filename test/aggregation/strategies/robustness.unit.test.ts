import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ClientUpdate } from '../../../src/aggregation/client-update.ts'
import { createStrategy } from '../../../src/aggregation/index.ts'
import type { StrategyConfig } from '../../../src/aggregation/strategy-config.ts'
import { globalModel, maxDiff, meanOf, randomUpdate, scaled } from '../fixtures.ts'

// Nine honest members whose deltas cluster around 0.01; one attacker.
const global = globalModel(3)
const honest: ClientUpdate[] = Array.from({ length: 9 }, (_, i) =>
  randomUpdate(`h${i}`, 40 + i, 10, 0.01, 0.004),
)
const honestMean = meanOf(honest)
const attacks: Record<string, ClientUpdate> = {
  'scaled x100': scaled(honest[0]!, 'attacker', 100),
  'sign-flipped x10': scaled(honest[0]!, 'attacker', -10),
}
const robust: StrategyConfig[] = [
  { kind: 'coordinate-median' },
  { kind: 'trimmed-mean', beta: 0.1 },
  { kind: 'krum', f: 1 },
  { kind: 'krum', f: 1, m: 4 },
]

for (const [attackName, attacker] of Object.entries(attacks)) {
  const updates = [...honest, attacker]

  test(`FedAvg is visibly shifted by a ${attackName} update`, () => {
    const r = createStrategy({ kind: 'fedavg' }).aggregate(global, updates)
    assert.ok(maxDiff(r.delta, honestMean) > 0.008, `FedAvg moved only ${maxDiff(r.delta, honestMean)}`)
  })

  for (const config of robust) {
    test(`${config.kind}${'m' in config ? ` m=${config.m}` : ''} neutralizes a ${attackName} update`, () => {
      const r = createStrategy(config).aggregate(global, updates)
      // Honest spread is 0.004: robust rules stay within it, FedAvg is pushed at least twice as far.
      assert.ok(maxDiff(r.delta, honestMean) < 0.004, `moved ${maxDiff(r.delta, honestMean)}`)
      if (config.kind === 'krum') assert.ok(!r.metrics.selected.includes('attacker'))
    })
  }
}
