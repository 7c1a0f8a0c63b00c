import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  fixedPointScale,
  flattenTensorMap,
  parameterCount,
  type TensorMap,
  unflattenTensorMap,
} from '../../src/aggregation/index.ts'
import type { FrameChannel } from '../../src/federated/frame-channel.ts'
import type { TrainingJobSpec } from '../../src/federated/job-spec.ts'
import { createLocalChannelPair } from '../../src/federated/local-channel.ts'
import { runCoordinatorRound } from '../../src/federated/round-coordinator.ts'
import { runParticipantRound } from '../../src/federated/round-participant.ts'
import { toBase64, uint32FromBase64 } from '../../src/federated/wire-bytes.ts'
import { modelHash } from '../../src/federated/wire-model.ts'
import { silentLogger } from '../../src/log.ts'
import { globalModel, tensorMap } from '../aggregation/fixtures.ts'
import {
  chainView,
  fakeTrainer,
  jobFor,
  makePeople,
  participantOf,
  recordSent,
  TIMEOUTS,
} from './round-harness.ts'

// The audit's attack on secure mode: clipping happens only on the member, and the 32-bit sum wraps, so a
// member that adds any vector to its masked upload moves the aggregate as far as it likes (one attacker of
// three moved the mean delta to an L2 norm of 96.7 with a clip of 1). The stated bound: a decoded sum of n
// inputs is accepted only if it lies within what n clipped inputs can add up to (per coordinate n * maxAbs,
// in L2 n * C without noise), so the mean delta of any accepted round has L2 norm <= C, and one member moves
// it from the others' contribution by at most (2n - 1) C / n. The attacker below runs the real participant
// code and adds its vector to the masked frame it sends, as a malicious member can.

const CLIP = 1

function l2(x: Float32Array): number {
  let s = 0
  for (const v of x) s += v * v
  return Math.sqrt(s)
}

/** A channel that adds `offset` (already fixed point) to the masked upload sent through it. */
function tamperMasked(channel: FrameChannel, offset: Uint32Array): FrameChannel {
  return {
    ...channel,
    remotePeerId: channel.remotePeerId,
    send: async (value, options) => {
      const frame = value as { type: string; masked?: string }
      if (frame.type === 'masked') {
        const masked = uint32FromBase64(frame.masked!)
        for (let i = 0; i < masked.length; i++) masked[i] = (masked[i]! + offset[i]!) >>> 0
        return channel.send({ ...frame, masked: toBase64(masked) }, options)
      }
      return channel.send(value, options)
    },
  }
}

/** Fixed-point words of a float vector, without any clamp (what an attacker is free to send). */
function rawFixedPoint(values: Float32Array, scale: number): Uint32Array {
  const out = new Uint32Array(values.length)
  for (let i = 0; i < values.length; i++) out[i] = Math.round(values[i]! * scale) >>> 0
  return out
}

/** One round of `spec` where member `attacker` adds `offset` to its masked upload. */
async function roundWithAttacker(
  spec: TrainingJobSpec,
  people: ReturnType<typeof makePeople>,
  deltas: TensorMap[],
  global: TensorMap,
  attacker: number,
  offset: Uint32Array,
) {
  const ids = people.map((p) => p.peerId.toString())
  const view = chainView(spec, people[0]!)
  const runs: Promise<unknown>[] = []
  const sent: Record<string, unknown>[] = []
  try {
    const result = await runCoordinatorRound(
      {
        openChannel: async (peerId) => {
          const [mine, theirs] = createLocalChannelPair(peerId)
          const i = ids.indexOf(peerId)
          const channel = i === attacker ? tamperMasked(theirs, offset) : recordSent(theirs, sent)
          runs.push(
            runParticipantRound(
              participantOf(people[i]!, view, fakeTrainer(deltas[i]!)),
              channel,
              people[0]!.address,
              {
                timeouts: TIMEOUTS,
              },
            ).catch((e) => {
              theirs.abort(e)
              return e
            }),
          )
          return mine
        },
        log: silentLogger,
      },
      { jobId: 1n, spec, round: 1, global, globalHash: modelHash(global), members: ids, timeouts: TIMEOUTS },
    )
    for (const ch of result.channels.values()) ch.abort(new Error('the test ends the round here'))
    const applied = flattenTensorMap(result.global)
    const base = flattenTensorMap(global)
    for (let i = 0; i < applied.length; i++) applied[i]! -= base[i]!
    return { result, applied }
  } finally {
    await Promise.all(runs)
  }
}

const people = makePeople(3)
const global = globalModel(21)
const spec = jobFor(people, global, { privacy: { clipNorm: CLIP } })
const n = people.length
const dim = parameterCount(global)
const scale = fixedPointScale(CLIP, n)
/** Honest deltas at a fraction of the clip bound, pointing one way. */
const direction = tensorMap((name, i) => Math.sin(i + name.length))
const unit = flattenTensorMap(direction).map((x, _, a) => x / l2(a))
const honest = (k: number) =>
  unflattenTensorMap(
    global,
    unit.map((x) => (0.5 + 0.1 * k) * CLIP * x),
  )
const deltas = [honest(0), honest(1), honest(2)]
const ATTACKER = 2
/** The honest members' summed deltas (what the attacker's influence is measured against). */
const others = new Float32Array(dim)
for (const [k, d] of deltas.entries()) {
  if (k === ATTACKER) continue
  const flat = flattenTensorMap(d)
  for (let i = 0; i < dim; i++) others[i]! += flat[i]!
}

test('the audit attack: an attacker wrapping the 32-bit sum is detected and the round aborts instead of moving the mean', async (t) => {
  // Half the range in every coordinate: the decoded sum wraps to about -4 per coordinate.
  const offset = new Uint32Array(dim).fill(0x80000000)
  const unbounded = l2(new Float32Array(dim).fill(2 ** 31 / scale / n))
  t.diagnostic(`without the check the mean delta would have L2 norm ~${unbounded.toFixed(1)} (clip ${CLIP})`)
  await assert.rejects(roundWithAttacker(spec, people, deltas, global, ATTACKER, offset), {
    name: 'SecureSumOutOfBoundsError',
  })
})

test('an attacker staying just inside the bound moves the mean by at most (2n - 1)C/n; just outside, the round aborts', async (t) => {
  // The attacker aims the sum against the honest direction at 99% (then 101%) of n * C.
  for (const [factor, accepted] of [
    [0.99, true],
    [1.01, false],
  ] as const) {
    const target = unit.map((x) => -factor * n * CLIP * x)
    const ownClipped = flattenTensorMap(deltas[ATTACKER]!)
    const wanted = target.map((x, i) => x - others[i]! - ownClipped[i]!)
    const attempt = roundWithAttacker(spec, people, deltas, global, ATTACKER, rawFixedPoint(wanted, scale))
    if (!accepted) {
      await assert.rejects(attempt, { name: 'SecureSumOutOfBoundsError' })
      continue
    }
    const { applied } = await attempt
    const meanNorm = l2(applied)
    const influence = l2(applied.map((x, i) => x - others[i]! / n))
    const bound = ((2 * n - 1) * CLIP) / n
    t.diagnostic(
      `accepted: mean L2 ${meanNorm.toFixed(4)} <= C = ${CLIP}; influence ${influence.toFixed(4)} <= ${bound.toFixed(4)}`,
    )
    assert.ok(meanNorm <= CLIP * (1 + 1e-6), `mean delta norm ${meanNorm}`)
    assert.ok(influence <= bound * (1 + 1e-6), `influence ${influence} > ${bound}`)
    assert.ok(influence > CLIP, 'the attacker did push as far as the bound lets it (the test is not vacuous)')
  }
})

test('honest members all at the clip bound are accepted (no false alarm)', async () => {
  const atClip = [0, 1, 2].map(() =>
    unflattenTensorMap(
      global,
      unit.map((x) => CLIP * x),
    ),
  )
  const { applied } = await roundWithAttacker(spec, people, atClip, global, -1, new Uint32Array(dim))
  assert.ok(Math.abs(l2(applied) - CLIP) < 1e-4, `mean norm ${l2(applied)}`)
})

test('secure+robust buckets: the bucket an attacker wraps is dropped and the rule runs over the others', async () => {
  const nine = makePeople(9)
  const g = globalModel(22)
  const bucketed = jobFor(nine, g, {
    privacy: { clipNorm: CLIP },
    strategy: { kind: 'coordinate-median' },
    secureBuckets: { bucketSize: 3 },
  })
  const ds = nine.map(() =>
    unflattenTensorMap(
      g,
      unit.map((x) => 0.5 * CLIP * x),
    ),
  )
  const offset = new Uint32Array(dim).fill(0x80000000)
  const { result, applied } = await roundWithAttacker(bucketed, nine, ds, g, 4, offset)
  assert.equal(result.contributors.length, 6, 'the attacker bucket of three was dropped')
  assert.ok(result.dropped.includes(nine[4]!.peerId.toString()))
  assert.ok(Math.abs(l2(applied) - 0.5 * CLIP) < 1e-4, `the aggregate is the honest one: ${l2(applied)}`)
})

test('with DP noise, honest members at the clip bound are accepted and the wrap attack is still refused', async () => {
  const noisy = jobFor(people, global, { privacy: { clipNorm: CLIP, noiseMultiplier: 1 } })
  const atClip = [0, 1, 2].map(() =>
    unflattenTensorMap(
      global,
      unit.map((x) => CLIP * x),
    ),
  )
  for (let run = 0; run < 5; run++) {
    const { result } = await roundWithAttacker(noisy, people, atClip, global, -1, new Uint32Array(dim))
    assert.equal(result.contributors.length, 3)
  }
  const offset = new Uint32Array(dim).fill(0x80000000)
  await assert.rejects(roundWithAttacker(noisy, people, deltas, global, ATTACKER, offset), {
    name: 'SecureSumOutOfBoundsError',
  })
})
