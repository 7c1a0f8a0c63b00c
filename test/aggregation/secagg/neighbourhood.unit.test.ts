import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  checkNeighbourhood,
  defaultNeighbourhoodDegree,
  inducesConnected,
  neighbourhoodGraph,
  neighbourhoodThreshold,
} from '../../../src/aggregation/secagg/neighbourhood.ts'
import { SecureAggregationClient } from '../../../src/aggregation/secagg/secure-aggregation-client.ts'
import { SecureAggregator } from '../../../src/aggregation/secagg/secure-aggregator.ts'
import { type CoordinatorInbox, runLocalSecureAggregation } from './local-round.ts'

const ids = (n: number) => Array.from({ length: n }, (_, i) => `m${String(i).padStart(4, '0')}`)

function inputsFor(members: readonly string[], length: number): Map<string, Uint32Array> {
  return new Map(
    members.map((id, k) => [id, Uint32Array.from({ length }, (_, i) => (k * 7919 + i * 31) >>> 0)]),
  )
}

function plainSum(inputs: ReadonlyMap<string, Uint32Array>, only: readonly string[]): Uint32Array {
  const out = new Uint32Array(inputs.values().next().value!.length)
  for (const id of only) {
    const x = inputs.get(id)!
    for (let i = 0; i < x.length; i++) out[i] = (out[i]! + x[i]!) >>> 0
  }
  return out
}

test('the public graph is symmetric, k-regular, seed-determined, and changes with the seed', () => {
  const members = ids(40)
  const g = neighbourhoodGraph({ degree: 6, seed: 's1', members })
  for (const [id, nbrs] of g) {
    assert.equal(nbrs.size, 6)
    assert.ok(!nbrs.has(id))
    for (const n of nbrs) assert.ok(g.get(n)!.has(id), `${id}-${n} is not symmetric`)
  }
  const again = neighbourhoodGraph({ degree: 6, seed: 's1', members: [...members].reverse() })
  for (const [id, nbrs] of g) assert.deepEqual([...again.get(id)!].sort(), [...nbrs].sort())
  const other = neighbourhoodGraph({ degree: 6, seed: 's2', members })
  assert.ok([...g].some(([id, nbrs]) => [...nbrs].sort().join() !== [...other.get(id)!].sort().join()))
})

test('fewer than k dropouts never split the survivors (Harary graphs are k-connected)', () => {
  const members = ids(30)
  const g = neighbourhoodGraph({ degree: 4, seed: 'x', members })
  for (let a = 0; a < members.length; a++) {
    for (let b = a + 1; b < members.length; b += 5) {
      for (const c of [(b + 3) % members.length]) {
        const gone = new Set([members[a], members[b], members[c]])
        assert.ok(
          inducesConnected(
            g,
            members.filter((m) => !gone.has(m)),
          ),
        )
      }
    }
  }
  // Removing one node's whole neighbourhood isolates it: the condition then fails.
  const lonely = members[0]!
  const cut = g.get(lonely)!
  assert.equal(
    inducesConnected(
      g,
      members.filter((m) => !cut.has(m)),
    ),
    false,
  )
})

test('the privacy condition: threshold a strict majority of the k + 1 holders, degree even and below n', () => {
  assert.equal(neighbourhoodThreshold(4), 3)
  assert.equal(neighbourhoodThreshold(6), 4)
  assert.equal(defaultNeighbourhoodDegree(1000), 20)
  assert.equal(defaultNeighbourhoodDegree(10), 8)
  checkNeighbourhood(4, 3, 10)
  assert.throws(() => checkNeighbourhood(4, 2, 10), { name: 'SecAggConfigError' })
  assert.throws(() => checkNeighbourhood(3, 3, 10), { name: 'SecAggConfigError' })
  assert.throws(() => checkNeighbourhood(10, 6, 10), { name: 'SecAggConfigError' })
  assert.throws(
    () =>
      new SecureAggregationClient({
        memberId: 'm0000',
        roundId: 'r',
        threshold: 2,
        vectorLength: 4,
        neighbourhood: { degree: 4, seed: 's', members: ids(10) },
      }),
    { name: 'SecAggConfigError' },
  )
})

test('sparse round, no dropout: exact sum; each member sent shares only to its k neighbours', async () => {
  const members = ids(12)
  const neighbourhood = { degree: 4, seed: 'round-1', members }
  const inputs = inputsFor(members, 1000)
  const inbox: CoordinatorInbox = []
  const { sum, contributors } = await runLocalSecureAggregation(inputs, {
    roundId: 'r1',
    threshold: 3,
    neighbourhood,
    inbox,
  })
  assert.deepEqual(sum, plainSum(inputs, members))
  assert.equal(contributors.length, 12)
  const graph = neighbourhoodGraph(neighbourhood)
  for (const m of inbox) {
    if (m.kind !== 'shares') continue
    assert.equal(m.msg.shares.length, 4)
    for (const s of m.msg.shares) assert.ok(graph.get(m.msg.memberId)!.has(s.to))
  }
})

test('sparse round, two dropouts after sharing: the survivors sum is exact', async () => {
  const members = ids(16)
  const inputs = inputsFor(members, 70_000)
  const dropped = [members[3]!, members[9]!]
  const {
    sum,
    contributors,
    dropped: out,
  } = await runLocalSecureAggregation(inputs, {
    roundId: 'r2',
    threshold: 4,
    neighbourhood: { degree: 6, seed: 'round-2', members },
    dropBeforeUpload: dropped,
  })
  const survivors = members.filter((m) => !dropped.includes(m))
  assert.deepEqual(contributors, survivors)
  assert.deepEqual(out, dropped)
  assert.deepEqual(sum, plainSum(inputs, survivors))
})

test('survivors that split the graph: the coordinator and every member refuse to unmask a part', async () => {
  const members = ids(10)
  const neighbourhood = { degree: 2, seed: 'ring', members }
  const graph = neighbourhoodGraph(neighbourhood)
  // In a ring, dropping two non-adjacent members splits the survivors into two arcs.
  const a = members[0]!
  const [b] = [...graph.get(a)!]
  const far = members.find((m) => m !== a && m !== b && !graph.get(a)!.has(m) && !graph.get(b!)!.has(m))!
  await assert.rejects(
    runLocalSecureAggregation(inputsFor(members, 8), {
      roundId: 'r3',
      threshold: 2,
      neighbourhood,
      dropBeforeUpload: [a, far],
    }),
    { name: 'SecAggBelowThresholdError', message: /split into parts/ },
  )
  // A coordinator that lies (claims the split request anyway) meets the same refusal at each member.
  const vectorLength = 8
  const clients = members.map(
    (memberId) =>
      new SecureAggregationClient({ memberId, roundId: 'r4', threshold: 2, vectorLength, neighbourhood }),
  )
  const agg = new SecureAggregator({ roundId: 'r4', threshold: 2, vectorLength, neighbourhood })
  for (const c of clients) agg.receiveKeys(c.advertiseKeys())
  const roster = agg.roster()
  for (const c of clients) agg.receiveShares(await c.shareKeys(roster))
  const survivor = clients.find((c) => c.memberId !== a && c.memberId !== far)!
  survivor.maskInput(new Uint32Array(vectorLength), agg.sharesFor(survivor.memberId))
  const survivors = members.filter((m) => m !== a && m !== far)
  assert.throws(() => survivor.unmask({ survivors, dropped: [a, far].sort() }), {
    name: 'SecAggBelowThresholdError',
  })
})

test('sparse: a share sent to a non-neighbour is refused by the coordinator', async () => {
  const members = ids(10)
  const neighbourhood = { degree: 4, seed: 'strict', members }
  const clients = members.map(
    (memberId) =>
      new SecureAggregationClient({ memberId, roundId: 'r5', threshold: 3, vectorLength: 4, neighbourhood }),
  )
  const agg = new SecureAggregator({ roundId: 'r5', threshold: 3, vectorLength: 4, neighbourhood })
  for (const c of clients) agg.receiveKeys(c.advertiseKeys())
  const roster = agg.roster()
  const msg = await clients[0]!.shareKeys(roster)
  const graph = neighbourhoodGraph(neighbourhood)
  const stranger = members.find((m) => m !== members[0] && !graph.get(members[0]!)!.has(m))!
  const forged = { ...msg, shares: [...msg.shares.slice(1), { ...msg.shares[0]!, to: stranger }] }
  assert.throws(() => agg.receiveShares(forged), { name: 'SecAggProtocolError' })
  // A member outside the planned list cannot join the roster.
  assert.throws(
    () =>
      new SecureAggregator({ roundId: 'r6', threshold: 3, vectorLength: 4, neighbourhood }).receiveKeys({
        ...clients[0]!.advertiseKeys(),
        memberId: 'intruder',
      }),
    { name: 'SecAggProtocolError' },
  )
})

test('sparse: a member refuses to reveal both secrets of one neighbour across two lying requests', async () => {
  // Threshold 3 of 5 holders (k = 4): a coordinator would need 3 holders to say "survived" and 3 to say
  // "dropped"; 3 + 3 > 5, so at least one holder receives both stories and each holder answers once.
  const members = ids(9)
  const neighbourhood = { degree: 4, seed: 'lie', members }
  const clients = members.map(
    (memberId) =>
      new SecureAggregationClient({ memberId, roundId: 'r7', threshold: 3, vectorLength: 4, neighbourhood }),
  )
  const agg = new SecureAggregator({ roundId: 'r7', threshold: 3, vectorLength: 4, neighbourhood })
  for (const c of clients) agg.receiveKeys(c.advertiseKeys())
  const roster = agg.roster()
  for (const c of clients) agg.receiveShares(await c.shareKeys(roster))
  for (const c of clients) c.maskInput(new Uint32Array(4), agg.sharesFor(c.memberId))
  const c0 = clients[0]!
  c0.unmask({ survivors: [...members], dropped: [] })
  assert.throws(() => c0.unmask({ survivors: members.slice(1), dropped: [members[0]!] }), {
    name: 'SecAggProtocolError',
  })
})
