import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hexToBytes } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import {
  type ClientUpdate,
  createStrategy,
  planBuckets,
  type StrategyConfig,
  type Tensor,
  type TensorMap,
} from '../../src/aggregation/index.ts'
import {
  bindBaseModel,
  jobSpecHash,
  parseJobSpec,
  type TrainingJobSpec,
} from '../../src/federated/job-spec.ts'
import { createLocalChannelPair } from '../../src/federated/local-channel.ts'
import { type CoordinatorRoundResult, runCoordinatorRound } from '../../src/federated/round-coordinator.ts'
import { runParticipantRound } from '../../src/federated/round-participant.ts'
import { modelHash } from '../../src/federated/wire-model.ts'
import { silentLogger } from '../../src/log.ts'
import { peerIdentityFromPrivateKey } from '../../src/net/peer-identity.ts'
import type { Trainer, TrainOptions } from '../../src/training/index.ts'
import { globalModel, maxDiff, tensorMap } from '../aggregation/fixtures.ts'

// Rounds of every strategy, run in process: the real coordinator and participant code over local channels
// (frames serialized and validated as on the wire), real secure aggregation, and trainers that return
// known deltas, so the aggregate can be checked against the strategy applied directly to the same deltas.

const TIMEOUTS = { keysMs: 10_000, sharesMs: 10_000, trainMs: 10_000, unmaskMs: 10_000 }
const LOCAL = { steps: 1, batchSize: 1, seqLen: 4, learningRate: 1e-3 }
const people = Array.from({ length: 9 }, () => peerIdentityFromPrivateKey(hexToBytes(generatePrivateKey())))
const ids = people.map((p) => p.peerId.toString())
const coordinator = people[0]!

/** The honest direction every member's delta follows, plus a little member-specific spread. */
const DIRECTION = tensorMap((name, i) => 0.01 * Math.sin(i + name.length))
function honestDelta(member: number): Map<string, Tensor> {
  return tensorMap((name, i) => DIRECTION.get(name)!.data[i]! + 0.0005 * Math.cos(member * 7 + i))
}
/** An attacker pushing 50 times against the honest direction (norm ~9, under the clip bound of 10). */
const POISON = tensorMap((name, i) => -50 * DIRECTION.get(name)!.data[i]!)

function specFor(strategy: StrategyConfig, extra: Partial<TrainingJobSpec> = {}): TrainingJobSpec {
  return parseJobSpec({
    modelId: '1',
    baseContentRoot: `0x${'ab'.repeat(32)}`,
    strategy,
    privacy: { clipNorm: 10 },
    participants: people.map((p) => ({ peerId: p.peerId.toString(), address: p.address })),
    coordinator: ids[0],
    rounds: 1,
    local: LOCAL,
    contribution: { rule: 'examples', sharesToMint: '1000' },
    ...extra,
  })
}

/** A trainer that returns global + a fixed delta, and records what it was asked. */
function fakeTrainer(delta: TensorMap, seen: TrainOptions[]): Trainer {
  let params: TensorMap = new Map()
  const trainer: Trainer = {
    loadParams: async (p) => {
      params = p
    },
    getParams: async () => params,
    train: async (options) => {
      seen.push(options)
      const update = new Map<string, Tensor>()
      for (const [name, t] of params)
        update.set(name, { shape: t.shape, data: t.data.map((x, i) => x + delta.get(name)!.data[i]!) })
      params = update
      const metrics = { loss: 1, initialLoss: 2, steps: 1, tokens: 4, seconds: 1, tokensPerSecond: 4 }
      return { update, updateKind: 'weights', numExamples: 10, metrics }
    },
    evaluate: async () => ({ loss: 1, tokens: 4 }),
    exportGguf: async () => {},
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  }
  return trainer
}

/** A trainer whose member dies during local training (it never uploads). */
function crashingTrainer(): Trainer {
  return {
    ...fakeTrainer(new Map(), []),
    train: () => new Promise((_, reject) => setTimeout(() => reject(new Error('member crashed')), 2_000)),
  }
}

/** Runs one round of `spec` with each member's trainer returning `deltas[i]`. */
async function runRound(
  spec: TrainingJobSpec,
  deltas: TensorMap[],
  global: TensorMap,
  options: { crashing?: number[]; timeouts?: typeof TIMEOUTS } = {},
): Promise<{ result: CoordinatorRoundResult; seen: TrainOptions[] }> {
  const seen: TrainOptions[] = []
  const participants: Promise<void>[] = []
  spec = bindBaseModel(spec, modelHash(global))
  const specHash = jobSpecHash(spec)
  const result = await runCoordinatorRound(
    {
      openChannel: async (peerId) => {
        const [mine, theirs] = createLocalChannelPair(peerId)
        const i = ids.indexOf(peerId)
        participants.push(
          runParticipantRound(
            {
              peerId,
              privateKey: people[i]!.privateKey,
              resolveJob: async () => ({
                coordinator: coordinator.address,
                specHash,
                status: 'active',
                committedRounds: 0,
              }),
              localData: () => ({ train: { tokens: new Uint16Array(16) } }),
              trainer: async () =>
                options.crashing?.includes(i) ? crashingTrainer() : fakeTrainer(deltas[i]!, seen),
              saveGlobal: async () => {},
              log: silentLogger,
            },
            theirs,
            coordinator.address,
            { timeouts: options.timeouts ?? TIMEOUTS },
          ),
        )
        return mine
      },
      log: silentLogger,
    },
    {
      jobId: 1n,
      spec,
      round: 1,
      global,
      globalHash: modelHash(global),
      members: ids,
      timeouts: options.timeouts ?? TIMEOUTS,
    },
  )
  for (const ch of result.channels.values()) ch.abort(new Error('the test ends the round here'))
  await Promise.allSettled(participants)
  return { result, seen }
}

/** The unweighted mean of some deltas, as one pseudo-update (what a secure sum of them yields). */
function meanUpdate(memberId: string, deltas: TensorMap[]): ClientUpdate {
  const tensors = tensorMap(
    (name, i) => deltas.reduce((s, d) => s + d.get(name)!.data[i]!, 0) / deltas.length,
  )
  return { memberId, tensors, numExamples: deltas.length }
}

function deltaOf(next: TensorMap, global: TensorMap): Map<string, Tensor> {
  return tensorMap((name, i) => next.get(name)!.data[i]! - global.get(name)!.data[i]!)
}

// Fixed-point encoding rounds each value to 1/scale (scale ~ 2^31 / (clip * members)): far below this.
const FIXED_POINT_TOLERANCE = 1e-5

for (const strategy of [
  { kind: 'fedavg' },
  { kind: 'fedprox', proximalMu: 0.5 },
  { kind: 'fedadam', eta: 0.05 },
] satisfies StrategyConfig[]) {
  test(`${strategy.kind}: a secure round's new global model is what the strategy computes on the mean delta`, async () => {
    const global = globalModel(3)
    const deltas = ids.map((_, i) => honestDelta(i))
    const spec = specFor(strategy)
    const { result, seen } = await runRound(spec, deltas, global)

    const expected = createStrategy(strategy).aggregate(global, [meanUpdate('secure-sum', deltas)])
    assert.ok(
      maxDiff(result.global, expected.global) < FIXED_POINT_TOLERANCE,
      `differs by ${maxDiff(result.global, expected.global)}`,
    )
    assert.deepEqual(
      result.contributors.map((c) => c.peerId),
      [...ids].sort(),
    )
    assert.deepEqual(result.dropped, [])
    assert.equal(result.strategyState.step, 1)
    assert.equal(seen.length, ids.length)
    const mu = strategy.kind === 'fedprox' ? strategy.proximalMu : undefined
    assert.ok(
      seen.every((o) => o.proximalMu === mu),
      'every member trains with the proximal term the strategy configures',
    )
    if (strategy.kind === 'fedadam') assert.ok(result.strategyState.m?.has('output.weight'))
  })
}

for (const strategy of [
  { kind: 'trimmed-mean', beta: 0.34 },
  { kind: 'coordinate-median' },
  { kind: 'krum', f: 0 },
  { kind: 'krum', f: 0, m: 2 },
] satisfies StrategyConfig[]) {
  const name = strategy.kind === 'krum' && strategy.m === 2 ? 'multi-krum' : strategy.kind
  test(`${name} over secure buckets: the aggregate is the rule applied to the bucket means, and a poisoned update is rejected`, async () => {
    const global = globalModel(5)
    const attacker = 4
    const deltas = ids.map((_, i) => (i === attacker ? POISON : honestDelta(i)))
    const spec = specFor(strategy, { secureBuckets: { bucketSize: 3 } })
    const { result } = await runRound(spec, deltas, global)

    // The same buckets, recomputed from the round's public seed, and their means fed to the rule directly.
    const buckets = planBuckets(ids, 3, `${modelHash(global)}:1`)
    assert.equal(buckets.length, 3)
    const means = buckets.map((b) =>
      meanUpdate(
        b.bucketId,
        b.memberIds.map((id) => deltas[ids.indexOf(id)]!),
      ),
    )
    const expected = createStrategy(strategy).aggregate(global, means)
    assert.ok(
      maxDiff(result.global, expected.global) < FIXED_POINT_TOLERANCE,
      `differs by ${maxDiff(result.global, expected.global)}`,
    )
    assert.equal(result.contributors.length, ids.length)

    const honestMean = meanUpdate(
      'honest',
      deltas.filter((_, i) => i !== attacker),
    ).tensors
    const applied = deltaOf(result.global, global)
    assert.ok(
      maxDiff(applied, honestMean) < 0.002,
      `moved ${maxDiff(applied, honestMean)} from the honest mean`,
    )
    const plainMean = meanUpdate('all', deltas).tensors
    assert.ok(
      maxDiff(plainMean, honestMean) > 0.05,
      'without the robust rule the attacker would have moved the model',
    )
  })
}

test('bucket mode: a bucket that falls below its threshold is dropped and the rule runs over the others', async () => {
  const global = globalModel(7)
  const deltas = ids.map((_, i) => honestDelta(i))
  const spec = specFor({ kind: 'coordinate-median' }, { secureBuckets: { bucketSize: 3 } })
  const buckets = planBuckets(ids, 3, `${modelHash(global)}:1`)
  const lost = buckets[1]!
  const crashing = [ids.indexOf(lost.memberIds[0]!)]
  const { result } = await runRound(spec, deltas, global, {
    crashing,
    timeouts: { ...TIMEOUTS, trainMs: 1_000 },
  })

  assert.deepEqual(result.dropped, [...lost.memberIds].sort())
  assert.deepEqual(
    result.contributors.map((c) => c.peerId),
    ids.filter((id) => !lost.memberIds.includes(id)).sort(),
  )
  const survivors = [buckets[0]!, buckets[2]!].map((b) =>
    meanUpdate(
      b.bucketId,
      b.memberIds.map((id) => deltas[ids.indexOf(id)]!),
    ),
  )
  const expected = createStrategy({ kind: 'coordinate-median' }).aggregate(global, survivors)
  assert.ok(maxDiff(result.global, expected.global) < FIXED_POINT_TOLERANCE)
})

test('job specs reach every strategy: robust ones need secure buckets, and enough of them', () => {
  for (const strategy of [
    { kind: 'trimmed-mean', beta: 0.2 },
    { kind: 'coordinate-median' },
    { kind: 'krum', f: 0 },
  ] satisfies StrategyConfig[]) {
    assert.throws(() => specFor(strategy), { name: 'InvalidTrainingJobError' })
    assert.equal(specFor(strategy, { secureBuckets: { bucketSize: 3 } }).strategy.kind, strategy.kind)
  }
  assert.throws(() => specFor({ kind: 'krum', f: 1 }, { secureBuckets: { bucketSize: 3 } }), {
    name: 'InvalidTrainingJobError',
    message: /needs at least 5 buckets/,
  })
  assert.throws(() => specFor({ kind: 'fedavg' }, { secureBuckets: { bucketSize: 10 } }), {
    name: 'InvalidTrainingJobError',
  })
  // A bucket of two would reveal each member's update to the other (and to a coordinator in it).
  for (const bucketSize of [1, 2]) {
    assert.throws(() => specFor({ kind: 'coordinate-median' }, { secureBuckets: { bucketSize } }), {
      name: 'InvalidTrainingJobError',
    })
  }
})
