import assert from 'node:assert/strict'
import { test } from 'node:test'
import { computeEpsilon } from '../../src/aggregation/index.ts'
import { parseJobSpec } from '../../src/federated/job-spec.ts'
import { memberAccounts } from '../../src/federated/member-accounts.ts'

const addr = (i: number) => `0x${String(i).repeat(40)}` as const
const participants = [1, 2, 3].map((i) => ({ peerId: `12D3KooWpeer${i}xxxxxx`, address: addr(i) }))
const spec = (noiseMultiplier: number) =>
  parseJobSpec({
    modelId: '1',
    baseContentRoot: `0x${'ab'.repeat(32)}`,
    strategy: { kind: 'fedavg' },
    privacy: { clipNorm: 10, noiseMultiplier },
    participants,
    coordinator: participants[0]!.peerId,
    rounds: 3,
    local: { steps: 5, batchSize: 4, seqLen: 32, learningRate: 1e-3 },
    contribution: { rule: 'examples', sharesToMint: '1000' },
  })
const round = (n: number, members: number[], amounts: number[]) => ({
  round: n,
  modelHash: `0x${'cd'.repeat(32)}` as const,
  members: members.map((i) => participants[i]!.peerId),
  dropped: [],
  contributions: members.map((i, k) => ({
    peerId: participants[i]!.peerId,
    address: participants[i]!.address,
    amount: String(amounts[k]),
  })),
})

test('member accounts: contribution summed over the committed rounds, epsilon composed over the rounds that used the member', () => {
  // Member 2 dropped out of round 2: it spent one round less privacy and contributed less.
  const history = [round(1, [0, 1, 2], [10, 20, 30]), round(2, [0, 1], [5, 5])]
  const a = memberAccounts({ spec: spec(1.1), history })
  assert.deepEqual(
    a.members.map((m) => [m.rounds, m.contribution]),
    [
      [2, '15'],
      [2, '25'],
      [1, '30'],
    ],
  )
  const two = computeEpsilon({ noiseMultiplier: 1.1, sampleRate: 1, steps: 2 }, a.delta)
  const one = computeEpsilon({ noiseMultiplier: 1.1, sampleRate: 1, steps: 1 }, a.delta)
  assert.equal(a.members[0]!.epsilon, two)
  assert.equal(a.members[2]!.epsilon, one)
  assert.ok(one > 0 && two > one, `more rounds, more epsilon (${one} < ${two})`)
  assert.ok(memberAccounts({ spec: spec(3), history }).members[0]!.epsilon! < two, 'more noise, less epsilon')
})

test('member accounts: no noise is no finite epsilon (null), and no round is no spend', () => {
  const history = [round(1, [0, 1, 2], [1, 1, 1])]
  assert.deepEqual(
    memberAccounts({ spec: spec(0), history }).members.map((m) => m.epsilon),
    [null, null, null],
  )
  assert.deepEqual(
    memberAccounts({ spec: spec(1), history: [] }).members.map((m) => [m.epsilon, m.rounds]),
    [
      [0, 0],
      [0, 0],
      [0, 0],
    ],
  )
})
