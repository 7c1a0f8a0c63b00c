import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Hono } from 'hono'
import { hexToBytes } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { SecureAggregationClient } from '../../src/aggregation/secagg/secure-aggregation-client.ts'
import { trainingRoutes } from '../../src/api/routes/training.ts'
import { sharesForContributors } from '../../src/federated/contribution-split.ts'
import type { TrainingJobStatus } from '../../src/federated/index.ts'
import { jobSpecHash, jobThreshold, parseJobSpec } from '../../src/federated/job-spec.ts'
import { signAdvertisedKeys, verifyAdvertisedKeys } from '../../src/federated/key-signature.ts'
import { peerIdentityFromPrivateKey } from '../../src/net/peer-identity.ts'

const ROOT = `0x${'ab'.repeat(32)}` as const
const people = Array.from({ length: 3 }, () => peerIdentityFromPrivateKey(hexToBytes(generatePrivateKey())))
const spec = {
  modelId: '1',
  baseContentRoot: ROOT,
  strategy: { kind: 'fedavg' },
  privacy: { clipNorm: 10 },
  participants: people.map((p) => ({ peerId: p.peerId.toString(), address: p.address })),
  coordinator: people[0]!.peerId.toString(),
  rounds: 3,
  local: { steps: 5, batchSize: 4, seqLen: 32, learningRate: 1e-3 },
  contribution: { rule: 'examples', sharesToMint: '1000' },
}

test('job specs: defaults, a stable hash, and named errors for inconsistent specs', () => {
  const parsed = parseJobSpec(spec)
  assert.equal(parsed.takeoverTimeoutSeconds, 900)
  // Three members: every one of them must answer (a sum of two would reveal one to the other).
  assert.equal(jobThreshold(parsed), 3)
  assert.equal(jobSpecHash(parsed), jobSpecHash(parseJobSpec(JSON.parse(JSON.stringify(spec)))))
  assert.notEqual(jobSpecHash(parsed), jobSpecHash(parseJobSpec({ ...spec, rounds: 4 })))
  for (const bad of [
    { ...spec, strategy: { kind: 'krum', f: 0 } },
    { ...spec, coordinator: 'someone-else' },
    { ...spec, privacy: { clipNorm: 10, threshold: 1 } },
    // The audit's settings: a threshold of 2, and a job of two members.
    { ...spec, privacy: { clipNorm: 10, threshold: 2 } },
    { ...spec, participants: spec.participants.slice(0, 2) },
    { ...spec, baseModelHash: 'not-a-hash' },
    { ...spec, participants: [spec.participants[0], spec.participants[0]] },
  ]) {
    assert.throws(() => parseJobSpec(bad), { name: 'InvalidTrainingJobError' })
  }
})

test('shares are split pro-rata over contributions, rounding down', () => {
  const a = '0x000000000000000000000000000000000000000a' as const
  const b = '0x000000000000000000000000000000000000000b' as const
  assert.deepEqual(
    sharesForContributors(
      [
        { address: a, amount: 2n },
        { address: b, amount: 1n },
      ],
      100n,
    ),
    [
      { address: a, amount: 66n },
      { address: b, amount: 33n },
    ],
  )
  assert.deepEqual(sharesForContributors([{ address: a, amount: 0n }], 100n), [])
})

test('advertised keys verify against the member PeerId; substituted keys or a foreign signer fail', async () => {
  const [alice, bob] = people as [(typeof people)[0], (typeof people)[0]]
  const client = new SecureAggregationClient({
    memberId: alice.peerId.toString(),
    roundId: 'r1',
    threshold: 2,
    vectorLength: 4,
  })
  const signed = await signAdvertisedKeys(alice.privateKey, 'r1', client.advertiseKeys())
  const keys = await verifyAdvertisedKeys('r1', signed)
  assert.equal(keys.memberId, alice.peerId.toString())
  const other = new SecureAggregationClient({
    memberId: alice.peerId.toString(),
    roundId: 'r1',
    threshold: 2,
    vectorLength: 4,
  })
  const substituted = {
    ...signed,
    maskPublicKey: Buffer.from(other.advertiseKeys().maskPublicKey).toString('base64'),
  }
  await assert.rejects(verifyAdvertisedKeys('r1', substituted), { name: 'KeySignatureInvalidError' })
  await assert.rejects(verifyAdvertisedKeys('r2', signed), { name: 'KeySignatureInvalidError' })
  const forged = await signAdvertisedKeys(bob.privateKey, 'r1', client.advertiseKeys())
  await assert.rejects(verifyAdvertisedKeys('r1', forged), { name: 'KeySignatureInvalidError' })
})

test('/api/training routes call the service and validate input', async () => {
  const calls: string[] = []
  const status: TrainingJobStatus = {
    jobId: '7',
    status: 'running',
    role: 'coordinator',
    round: 1,
    rounds: 3,
    running: true,
    members: spec.participants,
    accounts: { delta: 1e-5, noiseMultiplier: 0, members: [] },
    losses: [{ round: 1, meanLoss: 2.5, members: 3, dropped: 0 }],
  }
  const app = new Hono()
    .route(
      '/api/training',
      trainingRoutes({
        training: {
          list: async () => [status],
          status: async (id) => ({ ...status, jobId: id.toString() }),
          createJob: async (_spec, o) => {
            calls.push(`create ${o.baseGguf}`)
            return 7n
          },
          joinJob: async (id, source) => {
            calls.push(`join ${id} ${'corpusPath' in source ? source.corpusPath : ''}`)
          },
          startJob: (id) => void calls.push(`start ${id}`),
          startTakeOver: (id) => void calls.push(`resume ${id}`),
        },
      }),
    )
    .onError((err, ctx) => ctx.json({ error: { code: err.name } }, 400))
  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    })

  let res = await post('/api/training', { spec, baseGguf: '/models/base.gguf', corpusPath: '/data/mine' })
  assert.equal(res.status, 201)
  assert.deepEqual(await res.json(), { jobId: '7', started: true })
  res = await post('/api/training/7/join', { corpusPath: '/data/mine' })
  assert.equal(res.status, 200)
  res = await post('/api/training/7/resume', {})
  assert.equal(res.status, 202)
  assert.deepEqual(calls, [
    'create /models/base.gguf',
    'join 7 /data/mine',
    'start 7',
    'join 7 /data/mine',
    'resume 7',
  ])
  assert.equal(((await (await app.request('/api/training')).json()) as { jobs: unknown[] }).jobs.length, 1)
  const one = (await (await app.request('/api/training/7')).json()) as TrainingJobStatus
  assert.equal(`${one.round}/${one.rounds}`, '1/3')
  res = await post('/api/training', { spec, baseGguf: 'relative.gguf' })
  assert.deepEqual(await res.json(), { error: { code: 'InvalidInputError' } })
  assert.deepEqual(await (await app.request('/api/training/x')).json(), {
    error: { code: 'InvalidInputError' },
  })
})
