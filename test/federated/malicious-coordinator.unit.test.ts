import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  decodeFixedPoint,
  parameterCount,
  SecureAggregationClient,
  SecureAggregator,
  type TensorMap,
} from '../../src/aggregation/index.ts'
import type { ChainJobView } from '../../src/federated/configure-check.ts'
import type { TrainingJobSpec } from '../../src/federated/job-spec.ts'
import { signAdvertisedKeys, verifyAdvertisedKeys } from '../../src/federated/key-signature.ts'
import { createLocalChannelPair } from '../../src/federated/local-channel.ts'
import {
  type ConfigureMessage,
  keysMessage,
  maskedMessage,
  sharesMessage,
  unmaskResponseMessage,
} from '../../src/federated/messages.ts'
import { runCoordinatorRound } from '../../src/federated/round-coordinator.ts'
import { roundLocal, sumParameters } from '../../src/federated/round-parameters.ts'
import { runParticipantRound } from '../../src/federated/round-participant.ts'
import { bytesFromBase64, toBase64, uint32FromBase64 } from '../../src/federated/wire-bytes.ts'
import { encodeWireModel, modelHash } from '../../src/federated/wire-model.ts'
import { silentLogger } from '../../src/log.ts'
import { globalModel, tensorMap } from '../aggregation/fixtures.ts'
import {
  chainView,
  crashingTrainer,
  fakeTrainer,
  jobFor,
  makePeople,
  type Person,
  participantOf,
  recordSent,
  TIMEOUTS,
} from './round-harness.ts'

// The audit's attack: a coordinator sends threshold 2, no noise and a roster of itself plus the victim, then
// unmasks the "sum" of its own zero input and the victim's update, i.e. the victim's update. Here a scripted
// coordinator runs that protocol against the real participant code; every variant must be refused before a
// masked update or an unmasking share leaves the victim.

const people = makePeople(3)
const [coordinator, victim, other] = people as [Person, Person, Person]
const ids = people.map((p) => p.peerId.toString())
const C = ids[0]!
const global = globalModel(11)
const VICTIM_DELTA = tensorMap((name, i) => 0.02 * Math.sin(3 * i + name.length))
const spec = jobFor(people, global, { privacy: { clipNorm: 10, noiseMultiplier: 1 } })

/** The configure frame an honest coordinator sends for round `round` over every member. */
function honestConfigure(s: TrainingJobSpec, round = 1, g: TensorMap = global): ConfigureMessage {
  const members = [...ids].sort()
  return {
    type: 'configure',
    jobId: '1',
    round,
    roundId: `1:${round}:feedface`,
    spec: s,
    roundMembers: members,
    bucketId: 'secure-sum',
    members,
    ...sumParameters(s, 3),
    local: roundLocal(s, round, members),
    global: encodeWireModel(g),
    globalHash: modelHash(g),
  }
}

interface Attack {
  configure: ConfigureMessage
  /** Members (besides the coordinator) that run the real participant code. */
  targets: Person[]
  view?: ChainJobView
  /** The unmask request to send instead of the aggregator's own. */
  unmask?: { survivors: string[]; dropped: string[] }
  /** The threshold of the coordinator's own aggregator (default: the frame's). */
  aggThreshold?: number
}

/**
 * Runs the coordinator's side of a round as a member that contributes zeros, with the real SecureAggregator
 * and the parameters of `attack.configure`. Returns what it unmasked (the targets' summed updates), or the
 * error that stopped it, plus every frame each target sent and how each target's round ended.
 */
async function runAttack(attack: Attack) {
  const cfg = attack.configure
  const view = attack.view ?? chainView(spec, coordinator)
  const n = parameterCount(global)
  const threshold = attack.aggThreshold ?? cfg.threshold
  const agg = new SecureAggregator({ roundId: cfg.roundId, threshold, vectorLength: n })
  const mine = new SecureAggregationClient({
    memberId: C,
    roundId: cfg.roundId,
    threshold,
    vectorLength: n,
  })
  const sent = new Map<string, Record<string, unknown>[]>()
  const outcomes = new Map<string, Promise<unknown>>()
  const channels = attack.targets.map((p) => {
    const id = p.peerId.toString()
    const [coordSide, theirs] = createLocalChannelPair(id)
    sent.set(id, [])
    const run = runParticipantRound(
      participantOf(p, view, fakeTrainer(VICTIM_DELTA)),
      recordSent(theirs, sent.get(id)!),
      coordinator.address,
      { timeouts: TIMEOUTS },
    )
    outcomes.set(
      id,
      run.then(
        () => 'completed',
        (err: Error) => {
          coordSide.abort(err)
          return err
        },
      ),
    )
    return { id, ch: coordSide }
  })
  const signal = () => AbortSignal.timeout(3_000)
  let recovered: Float32Array | undefined
  let stopped: unknown
  try {
    const own = await signAdvertisedKeys(coordinator.privateKey, cfg.roundId, mine.advertiseKeys())
    const signed = new Map([[C, own]])
    agg.receiveKeys(mine.advertiseKeys())
    for (const { id, ch } of channels) {
      await ch.send(cfg)
      const { type: _, ...keys } = await ch.receive(keysMessage, { signal: signal() })
      agg.receiveKeys(await verifyAdvertisedKeys(cfg.roundId, keys))
      signed.set(id, { type: 'keys', ...keys })
    }
    const roster = agg.roster()
    const entries = roster.map((k) => {
      const { type: _, ...e } = signed.get(k.memberId)!
      return e
    })
    agg.receiveShares(await mine.shareKeys(roster))
    for (const { id, ch } of channels) {
      await ch.send({ type: 'roster', entries })
      const msg = await ch.receive(sharesMessage, { signal: signal() })
      agg.receiveShares({
        memberId: id,
        shares: msg.shares.map((s) => ({ ...s, ciphertext: bytesFromBase64(s.ciphertext) })),
      })
    }
    const mineMasked = mine.maskInput(new Uint32Array(n), agg.sharesFor(C))
    for (const { id, ch } of channels) {
      const routed = agg.sharesFor(id).map((s) => ({ ...s, ciphertext: toBase64(s.ciphertext) }))
      await ch.send({ type: 'routed', shares: routed })
      const msg = await ch.receive(maskedMessage, { signal: signal() })
      agg.receiveMaskedInput({ memberId: id, masked: uint32FromBase64(msg.masked) })
    }
    agg.receiveMaskedInput(mineMasked)
    const request = agg.unmaskRequest()
    agg.receiveUnmaskResponse(mine.unmask(request))
    for (const { id, ch } of channels) {
      await ch.send({ type: 'unmask', ...(attack.unmask ?? request) })
      const msg = await ch.receive(unmaskResponseMessage, { signal: signal() })
      const reveal = (xs: { of: string; share: string }[]) =>
        xs.map((x) => ({ of: x.of, share: bytesFromBase64(x.share) }))
      agg.receiveUnmaskResponse({
        memberId: id,
        selfSeedShares: reveal(msg.selfSeedShares),
        maskKeyShares: reveal(msg.maskKeyShares),
      })
    }
    recovered = decodeFixedPoint((await agg.finish()).sum, cfg.scale)
  } catch (err) {
    stopped = err
  }
  for (const { ch } of channels) ch.abort(new Error('the test ends the round'))
  const ends = new Map<string, unknown>()
  for (const [id, p] of outcomes) ends.set(id, await p)
  return { recovered, stopped, sent, ends }
}

/** True when the target answered the unmask request (its part of the round is done). */
function answeredUnmask(r: Awaited<ReturnType<typeof runAttack>>, target: Person): boolean {
  return r.sent.get(target.peerId.toString())!.some((f) => f.type === 'unmask-response')
}

/** Asserts the target refused with `errorName` and sent neither a masked update nor an unmasking share. */
function assertRefused(
  r: Awaited<ReturnType<typeof runAttack>>,
  target: Person,
  errorName: string,
  options: { maskedSent?: boolean } = {},
) {
  const id = target.peerId.toString()
  const end = r.ends.get(id) as Error
  assert.ok(end instanceof Error, `${id} completed the round`)
  assert.equal(end.name, errorName, end.message)
  const types = r.sent.get(id)!.map((f) => f.type)
  if (!options.maskedSent) assert.ok(!types.includes('masked'), `a masked update left the victim: ${types}`)
  assert.ok(!types.includes('unmask-response'), `an unmasking share left the victim: ${types}`)
  assert.equal(r.recovered, undefined)
}

test('control: the scripted coordinator, run with the honest parameters, completes a round with two members', async () => {
  const r = await runAttack({ configure: honestConfigure(spec), targets: [victim, other] })
  assert.equal(r.stopped, undefined, String(r.stopped))
  assert.ok(r.recovered !== undefined)
  assert.ok(answeredUnmask(r, victim) && answeredUnmask(r, other))
})

test('the audit attack: threshold 2, no noise and a roster of the coordinator plus the victim are refused before any update leaves the victim', async () => {
  const honest = honestConfigure(spec)
  const two = [C, victim.peerId.toString()].sort()
  const attack = {
    ...honest,
    roundMembers: two,
    members: two,
    threshold: 2,
    noiseStd: 0,
    maxAbs: spec.privacy.clipNorm,
  }
  const r = await runAttack({ configure: attack, targets: [victim] })
  assertRefused(r, victim, 'RoundParameterMismatchError')
  // Each field alone is refused too.
  for (const [what, cfg] of [
    ['threshold 2', { ...honest, threshold: 2 }],
    ['no noise', { ...honest, noiseStd: 0 }],
    ['another fixed-point scale', { ...honest, scale: honest.scale * 2 }],
    ['another clamp', { ...honest, maxAbs: 1e6 }],
    ['a roster of two', { ...honest, roundMembers: two, members: two }],
    ['more local steps', { ...honest, local: { ...honest.local, steps: 500 } }],
    ['another learning rate', { ...honest, local: { ...honest.local, learningRate: 0.5 } }],
    ['a stranger in the round', { ...honest, roundMembers: [...ids, 'stranger'].sort() }],
  ] as const) {
    const one = await runAttack({ configure: cfg as ConfigureMessage, targets: [victim] })
    const end = one.ends.get(victim.peerId.toString()) as Error
    assert.equal(end?.name, 'RoundParameterMismatchError', `${what}: ${end?.message ?? end}`)
    assertRefused(one, victim, 'RoundParameterMismatchError')
  }
})

test('the same attack with honest configure frames but a roster of two: the victim refuses to share its keys', async () => {
  // The victim's keys reach the coordinator; then the roster holds only the coordinator and the victim.
  const r = await runAttack({ configure: honestConfigure(spec), targets: [victim], aggThreshold: 2 })
  assertRefused(r, victim, 'SecAggBelowThresholdError')
  assert.ok(!r.sent.get(victim.peerId.toString())!.some((f) => f.type === 'shares'))
})

test('a global model or round other than the chain recorded is refused', async () => {
  const other1 = globalModel(99)
  const wrongModel = {
    ...honestConfigure(spec),
    global: encodeWireModel(other1),
    globalHash: modelHash(other1),
  }
  assertRefused(
    await runAttack({ configure: wrongModel, targets: [victim] }),
    victim,
    'RoundParameterMismatchError',
  )

  // Round 2 while the chain has no round committed; round 1 again once it has one.
  const ahead = { ...honestConfigure(spec, 2), roundId: '1:2:feedface' }
  assertRefused(
    await runAttack({ configure: ahead, targets: [victim] }),
    victim,
    'RoundParameterMismatchError',
  )
  const committed = { ...chainView(spec, coordinator, 1), lastModelHash: modelHash(globalModel(5)) }
  const replay = await runAttack({ configure: honestConfigure(spec), targets: [victim], view: committed })
  assertRefused(replay, victim, 'RoundParameterMismatchError')
  // Round 2 on a model other than the one round 1 committed.
  const stale = await runAttack({ configure: honestConfigure(spec, 2), targets: [victim], view: committed })
  assertRefused(stale, victim, 'RoundParameterMismatchError')
  // ...and round 2 on the committed model is accepted.
  const good = await runAttack({
    configure: honestConfigure(spec, 2, globalModel(5)),
    targets: [victim, other],
    view: committed,
  })
  assert.ok(answeredUnmask(good, victim), String(good.stopped))
})

test('a spec with more local training than the node accepts is refused', async () => {
  const heavy = jobFor(people, global, {
    local: { steps: 50_000, batchSize: 8, seqLen: 64, learningRate: 1e-3 },
  })
  const r = await runAttack({
    configure: honestConfigure(heavy),
    targets: [victim],
    view: chainView(heavy, coordinator),
  })
  assertRefused(r, victim, 'LocalTrainingLimitError')
})

test('an unmask request naming fewer than two survivors besides the coordinator is refused', async () => {
  const r = await runAttack({
    configure: honestConfigure(spec),
    targets: [victim, other],
    unmask: { survivors: [C, victim.peerId.toString()].sort(), dropped: [other.peerId.toString()] },
  })
  assertRefused(r, victim, 'UnsafeRevealError', { maskedSent: true })
})

test('a 3-member round that goes on with 2 survivors aborts: no unmasking share leaves anyone', async () => {
  const view = chainView(spec, coordinator)
  const sent: Record<string, unknown>[] = []
  const runs: Promise<unknown>[] = []
  await assert.rejects(
    runCoordinatorRound(
      {
        openChannel: async (peerId) => {
          const [mine, theirs] = createLocalChannelPair(peerId)
          const i = ids.indexOf(peerId)
          const trainer = i === 2 ? crashingTrainer() : fakeTrainer(VICTIM_DELTA)
          runs.push(
            runParticipantRound(
              participantOf(people[i]!, view, trainer),
              recordSent(theirs, sent),
              coordinator.address,
              {
                timeouts: { ...TIMEOUTS, trainMs: 1_500 },
              },
            ).catch((e) => {
              // The member's node closes the stream when its round fails.
              theirs.abort(e)
              return e
            }),
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
        timeouts: { ...TIMEOUTS, trainMs: 1_500 },
      },
    ),
    { name: 'RoundBelowThresholdError' },
  )
  await Promise.all(runs)
  assert.equal(sent.filter((f) => f.type === 'masked').length, 2, 'two members uploaded masked vectors')
  assert.deepEqual(
    sent.filter((f) => f.type === 'unmask-response'),
    [],
    'no unmasking share was sent',
  )
})
