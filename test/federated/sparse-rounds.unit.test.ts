import assert from 'node:assert/strict'
import { test } from 'node:test'
import { flattenTensorMap, neighbourhoodGraph, type TensorMap } from '../../src/aggregation/index.ts'
import type { FrameChannel } from '../../src/federated/frame-channel.ts'
import { jobSpecHash, parseJobSpec, type TrainingJobSpec } from '../../src/federated/job-spec.ts'
import { createLocalChannelPair } from '../../src/federated/local-channel.ts'
import { runCoordinatorRound } from '../../src/federated/round-coordinator.ts'
import { planRoundSums } from '../../src/federated/round-parameters.ts'
import { runParticipantRound } from '../../src/federated/round-participant.ts'
import { toBase64, uint32FromBase64 } from '../../src/federated/wire-bytes.ts'
import { modelHash } from '../../src/federated/wire-model.ts'
import { silentLogger } from '../../src/log.ts'
import { globalModel, tensorMap } from '../aggregation/fixtures.ts'
import {
  chainView,
  crashingTrainer,
  fakeTrainer,
  jobFor,
  makePeople,
  participantOf,
  recordSent,
  TIMEOUTS,
} from './round-harness.ts'

// Sparse neighbourhoods (SecAgg+) through the real round protocol: the option is part of the job spec (so
// of the hash the chain records), every party derives the same public graph from the global hash and the
// round, members exchange shares only with their neighbours, and the bounded-influence check still holds.

const global = globalModel(5)

async function sparseRound(
  spec: TrainingJobSpec,
  people: ReturnType<typeof makePeople>,
  deltas: TensorMap[],
  opts: { crash?: number[]; tamper?: { member: number; offset: Uint32Array } } = {},
) {
  const ids = people.map((p) => p.peerId.toString())
  const view = chainView(spec, people[0]!)
  const runs: Promise<unknown>[] = []
  const sent = new Map<string, Record<string, unknown>[]>()
  try {
    const result = await runCoordinatorRound(
      {
        openChannel: async (peerId) => {
          const [mine, theirs] = createLocalChannelPair(peerId)
          const i = ids.indexOf(peerId)
          const frames: Record<string, unknown>[] = []
          sent.set(peerId, frames)
          const channel =
            opts.tamper?.member === i ? tamperMasked(theirs, opts.tamper.offset) : recordSent(theirs, frames)
          const trainer = opts.crash?.includes(i) ? crashingTrainer() : fakeTrainer(deltas[i]!)
          runs.push(
            runParticipantRound(participantOf(people[i]!, view, trainer), channel, people[0]!.address, {
              timeouts: TIMEOUTS,
            }).catch((e) => {
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
    return { result, sent }
  } finally {
    await Promise.all(runs)
  }
}

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

const delta = (k: number) => tensorMap((name, i) => 0.01 * Math.sin(i + k + name.length))

test('the job spec binds the option: its hash changes, odd degrees and an explicit threshold are refused', () => {
  const people = makePeople(5)
  const full = jobFor(people, global)
  const sparse = jobFor(people, global, { privacy: { clipNorm: 10, sparseNeighbourhood: { degree: 2 } } })
  assert.notEqual(jobSpecHash(full), jobSpecHash(sparse))
  const base = { ...sparse, baseModelHash: undefined }
  assert.throws(
    () => parseJobSpec({ ...base, privacy: { clipNorm: 1, sparseNeighbourhood: { degree: 3 } } }),
    {
      name: 'InvalidTrainingJobError',
    },
  )
  assert.throws(
    () =>
      parseJobSpec({ ...base, privacy: { clipNorm: 1, threshold: 3, sparseNeighbourhood: { degree: 2 } } }),
    { name: 'InvalidTrainingJobError' },
  )
  // The plan: threshold a majority of the k + 1 holders (at least 3), the graph seeded by no member.
  const ids = people.map((p) => p.peerId.toString())
  const [sum] = planRoundSums(sparse, ids, modelHash(global), 1)
  assert.equal(sum!.threshold, 3)
  assert.equal(sum!.neighbourhood?.degree, 2)
  assert.equal(sum!.neighbourhood?.seed, `${modelHash(global)}:1:${sum!.bucketId}`)
  // A sum no larger than the degree falls back to the full protocol (majority threshold).
  const wide = jobFor(people, global, { privacy: { clipNorm: 10, sparseNeighbourhood: { degree: 6 } } })
  assert.equal(planRoundSums(wide, ids, modelHash(global), 1)[0]!.neighbourhood, undefined)
})

test('an 8-member sparse round (k = 4), one member crashing: the mean of the others, shares only to neighbours', async () => {
  const people = makePeople(8)
  const spec = jobFor(people, global, { privacy: { clipNorm: 10, sparseNeighbourhood: { degree: 4 } } })
  const deltas = people.map((_, k) => delta(k))
  const { result, sent } = await sparseRound(spec, people, deltas, { crash: [5] })
  const ids = people.map((p) => p.peerId.toString())
  assert.deepEqual(result.contributors.map((c) => c.peerId).sort(), ids.filter((_, k) => k !== 5).sort())
  const expected = new Float32Array(flattenTensorMap(global))
  const survivors = deltas.filter((_, k) => k !== 5).map(flattenTensorMap)
  for (let i = 0; i < expected.length; i++)
    expected[i]! += survivors.reduce((s, d) => s + d[i]!, 0) / survivors.length
  const got = flattenTensorMap(result.global)
  for (let i = 0; i < got.length; i++) assert.ok(Math.abs(got[i]! - expected[i]!) < 1e-4, `param ${i}`)
  const [sum] = planRoundSums(spec, ids, modelHash(global), 1)
  const graph = neighbourhoodGraph(sum!.neighbourhood!)
  for (const [peerId, frames] of sent) {
    const shares = frames.find((f) => f.type === 'shares') as { shares?: Array<{ to: string }> } | undefined
    if (shares === undefined) continue
    assert.equal(shares.shares!.length, 4, `${peerId} sent shares to ${shares.shares!.length} members`)
    for (const s of shares.shares!) assert.ok(graph.get(peerId)!.has(s.to))
  }
})

test('sparse: an attacker wrapping the 32-bit sum is still detected and the round aborts', async () => {
  const people = makePeople(5)
  const spec = jobFor(people, global, { privacy: { clipNorm: 1, sparseNeighbourhood: { degree: 2 } } })
  const dim = flattenTensorMap(global).length
  await assert.rejects(
    sparseRound(
      spec,
      people,
      people.map((_, k) => delta(k)),
      { tamper: { member: 2, offset: new Uint32Array(dim).fill(0x80000000) } },
    ),
    { name: 'SecureSumOutOfBoundsError' },
  )
})
