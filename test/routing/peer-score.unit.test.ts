import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  emptyMeasure,
  peerScore,
  recordFailure,
  recordSuccess,
  UNMEASURED_PRIOR_MS_PER_TOKEN,
  unmeasuredPrior,
} from '../../src/inference/router/peer-score.ts'
import { PeerScoreboard } from '../../src/inference/router/peer-scoreboard.ts'
import { chooseRoute, type RouteCandidate } from '../../src/inference/router/route-decision.ts'

const peer = (peerId: string, load: number, msPerToken?: number): RouteCandidate => ({
  peerId,
  load,
  latencyMs: 10,
  penalty: 0,
  priceWeiPer1kTokens: 0n,
  measured: msPerToken === undefined ? undefined : { msPerToken, samples: 1, inFlight: 0, failures: 0 },
})

const pick = (candidates: RouteCandidate[]) =>
  chooseRoute({ localAvailable: false, localLoad: 0, candidates, exclude: new Set() })

test('a peer announcing load 0 but measured slow loses to a measured-faster peer announcing load 1', () => {
  assert.deepEqual(pick([peer('liar', 0, 200), peer('honest', 1, 20)]), { kind: 'peer', peerId: 'honest' })
})

test('the announced load is a bounded hint: it breaks near-ties only (at most a factor 1.5)', () => {
  assert.deepEqual(pick([peer('a', 0, 10), peer('b', 1, 10)]), { kind: 'peer', peerId: 'a' })
  assert.deepEqual(pick([peer('a', 0, 16), peer('b', 1, 10)]), { kind: 'peer', peerId: 'b' })
  assert.equal(peerScore(undefined, -5, 10), 10)
  assert.equal(peerScore(undefined, 99, 10), 15)
  assert.equal(peerScore(undefined, Number.NaN, 10), 15)
})

test('a peer measured slower than the prior does not keep the traffic from an untried peer', () => {
  assert.deepEqual(pick([peer('liar', 0, 200), peer('new', 0.9)]), { kind: 'peer', peerId: 'new' })
  // but an untried peer does not displace a measured fast one (same score; the hint decides)
  assert.deepEqual(pick([peer('fast', 0, 5), peer('new', 0.9)]), { kind: 'peer', peerId: 'fast' })
  assert.equal(unmeasuredPrior([]), UNMEASURED_PRIOR_MS_PER_TOKEN)
  assert.equal(unmeasuredPrior([undefined, 7, 300]), 7)
})

test('generations in flight and failures raise the score; successes decay failures', () => {
  const m = recordSuccess(emptyMeasure(), 1000, 100)
  assert.equal(m.msPerToken, 10)
  assert.equal(peerScore({ ...m, inFlight: 3 }, 0, 10), 40)
  const failed = recordFailure(recordFailure(m))
  assert.equal(peerScore(failed, 0, 10), 30)
  assert.equal(recordSuccess(failed, 100, 10).failures, 1)
  // EWMA moves toward new samples
  assert.equal(recordSuccess(m, 2000, 100).msPerToken, 10 + 0.3 * 10)
})

test('the scoreboard counts generations in flight and records each outcome once', () => {
  const board = new PeerScoreboard()
  const done = board.start('p')
  board.start('p')
  assert.equal(board.get('p')?.inFlight, 2)
  done({ ok: true, ms: 500, tokens: 10 })
  done({ ok: false })
  assert.equal(board.get('p')?.inFlight, 1)
  assert.equal(board.get('p')?.failures, 0)
  assert.equal(board.get('p')?.msPerToken, 50)
})
