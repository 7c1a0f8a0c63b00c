import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  chooseRoute,
  compareCandidates,
  LOCAL,
  type RouteCandidate,
} from '../../src/inference/router/route-decision.ts'

const peer = (peerId: string, over: Partial<RouteCandidate> = {}): RouteCandidate => ({
  peerId,
  load: 0.5,
  latencyMs: 10,
  penalty: 0,
  priceWeiPer1kTokens: 100n,
  ...over,
})

test('local wins when the model is loaded here and not saturated', () => {
  const route = chooseRoute({
    localAvailable: true,
    localLoad: 0.9,
    candidates: [peer('a', { load: 0 })],
    exclude: new Set(),
  })
  assert.deepEqual(route, { kind: 'local' })
})

test('without the model here, the best peer: penalty, then load, then latency, then price, then PeerId', () => {
  const candidates = [
    peer('p-penalized', { penalty: 1, load: 0 }),
    peer('p-busy', { load: 0.9 }),
    peer('p-slow', { latencyMs: 80 }),
    peer('p-unknown-latency', { latencyMs: undefined }),
    peer('p-pricey', { priceWeiPer1kTokens: 500n }),
    peer('p-b'),
    peer('p-a'),
  ]
  const order = [...candidates].sort(compareCandidates).map((c) => c.peerId)
  assert.deepEqual(order, ['p-a', 'p-b', 'p-pricey', 'p-slow', 'p-unknown-latency', 'p-busy', 'p-penalized'])
  const route = chooseRoute({ localAvailable: false, localLoad: 0, candidates, exclude: new Set() })
  assert.deepEqual(route, { kind: 'peer', peerId: 'p-a' })
})

test('the decision does not depend on the order of candidates (deterministic tie-break)', () => {
  const candidates = [peer('z'), peer('m'), peer('b')]
  for (const order of [
    candidates,
    [...candidates].reverse(),
    [candidates[1]!, candidates[0]!, candidates[2]!],
  ]) {
    assert.deepEqual(
      chooseRoute({ localAvailable: false, localLoad: 0, candidates: order, exclude: new Set() }),
      {
        kind: 'peer',
        peerId: 'b',
      },
    )
  }
})

test('failed nodes are excluded; failover falls back to the next peer, then to local, then to none', () => {
  const candidates = [peer('a', { load: 0 }), peer('b', { load: 0.2 })]
  assert.deepEqual(
    chooseRoute({ localAvailable: false, localLoad: 0, candidates, exclude: new Set(['a']) }),
    { kind: 'peer', peerId: 'b' },
  )
  assert.deepEqual(
    chooseRoute({ localAvailable: false, localLoad: 0, candidates, exclude: new Set(['a', 'b']) }),
    { kind: 'none' },
  )
  assert.deepEqual(
    chooseRoute({ localAvailable: true, localLoad: 0, candidates, exclude: new Set([LOCAL]) }),
    { kind: 'peer', peerId: 'a' },
  )
  assert.deepEqual(
    chooseRoute({ localAvailable: true, localLoad: 0, candidates: [], exclude: new Set([LOCAL]) }),
    { kind: 'none' },
  )
})

test('a saturated local node sends work to an idle peer, but keeps it when every peer is saturated too', () => {
  assert.deepEqual(
    chooseRoute({
      localAvailable: true,
      localLoad: 1,
      candidates: [peer('a', { load: 0.1 })],
      exclude: new Set(),
    }),
    {
      kind: 'peer',
      peerId: 'a',
    },
  )
  assert.deepEqual(
    chooseRoute({
      localAvailable: true,
      localLoad: 1,
      candidates: [peer('a', { load: 1 })],
      exclude: new Set(),
    }),
    {
      kind: 'local',
    },
  )
})
