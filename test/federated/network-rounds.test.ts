import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { decodeFunctionData } from 'viem'
import { flattenTensorMap, type TensorMap } from '../../src/aggregation/index.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { listProposals } from '../../src/chain/actions/list-proposals.ts'
import { listVersions } from '../../src/chain/actions/list-versions.ts'
import { getTrainingJob } from '../../src/chain/actions/training-get-job.ts'
import { takeOverTrainingJob } from '../../src/chain/actions/training-take-over.ts'
import { ModelRegistry, ModelShares } from '../../src/chain/generated/artifacts.ts'
import { FL_PROTOCOL } from '../../src/federated/constants.ts'
import { sharesForContributors } from '../../src/federated/contribution-split.ts'
import { StreamChannel } from '../../src/federated/frame-channel.ts'
import { fileSha256 } from '../../src/federated/job-coordinator.ts'
import { JobStateStore } from '../../src/federated/job-state.ts'
import { keysMessage } from '../../src/federated/messages.ts'
import { uint32FromBase64 } from '../../src/federated/wire-bytes.ts'
import { BUNDLED_CORPUS_PATH } from '../../src/training/data/constants.ts'
import { loadCorpus } from '../../src/training/data/corpus-loader.ts'
import { partitionCorpus, splitCorpus } from '../../src/training/data/corpus-split.ts'
import { toTokenDataset } from '../../src/training/data/token-dataset.ts'
import { readGgufParams } from '../../src/training/gguf-import.ts'
import { createTfjsTrainer } from '../../src/training/index.ts'
import { runLocalRound } from '../../src/training/local-round.ts'
import { startDevnet } from '../chain/devnet.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'
import {
  createSharedModel,
  jobSpec,
  LOCAL,
  type Member,
  MODEL_CONFIG,
  startMember,
  stopMember,
  WireTap,
} from './fixtures.ts'

const EVAL = { seqLen: LOCAL.seqLen, maxWindows: 96 }

async function corpusShards(members = 3) {
  const { train, heldOut } = splitCorpus(await loadCorpus(BUNDLED_CORPUS_PATH))
  return {
    train,
    heldOut: toTokenDataset(heldOut),
    shards: partitionCorpus(train, members).map(toTokenDataset),
  }
}

/** Pearson correlation of two equally long vectors. */
function correlation(a: Float32Array, b: Float32Array): number {
  let ma = 0
  let mb = 0
  for (let i = 0; i < a.length; i++) {
    ma += a[i]!
    mb += b[i]!
  }
  ma /= a.length
  mb /= b.length
  let sab = 0
  let saa = 0
  let sbb = 0
  for (let i = 0; i < a.length; i++) {
    const x = a[i]! - ma
    const y = b[i]! - mb
    sab += x * y
    saa += x * x
    sbb += y * y
  }
  return sab / Math.sqrt(saa * sbb)
}

function deltaOf(update: TensorMap, base: Float32Array): Float32Array {
  const flat = flattenTensorMap(update)
  for (let i = 0; i < flat.length; i++) flat[i]! -= base[i]!
  return flat
}

test('three members train 3 secure rounds over libp2p: loss falls near centralized, the coordinator sees only masked vectors, the proposal mints by contribution', async (t) => {
  await using net = await startDevnet(1)
  await using dir = await tmpDir('commons-fl-')
  const tap = new WireTap()
  const members: Member[] = [
    await startMember(net, 'alice', join(dir.path, 'alice'), { tap }),
    await startMember(net, 'bob', join(dir.path, 'bob')),
    await startMember(net, 'carol', join(dir.path, 'carol')),
  ]
  const [alice, bob, carol] = members as [Member, Member, Member]
  t.after(async () => {
    for (const m of members) await stopMember(m).catch(() => {})
  })
  for (const m of [bob, carol]) await alice.host.connect(m.host.multiaddrs()[0]!)
  const modelId = await createSharedModel(net, members, 'fl-net')
  const { train, heldOut, shards } = await corpusShards()

  await using trainer = await createTfjsTrainer({ config: MODEL_CONFIG, seed: 11 })
  const baseGguf = join(dir.path, 'base.gguf')
  await trainer.exportGguf(baseGguf)
  const baseParams = (await readGgufParams(baseGguf)).params
  const base = flattenTensorMap(baseParams)
  await trainer.loadParams(baseParams)
  const baseLoss = (await trainer.evaluate(heldOut, EVAL)).loss

  const jobId = await alice.service.createJob(
    jobSpec(members, { modelId, baseContentRoot: await fileSha256(baseGguf), rounds: 3 }),
    { baseGguf },
  )
  for (const [i, m] of members.entries()) await m.service.joinJob(jobId, { train: shards[i]! })
  const events: string[] = []
  const at = new Map<string, number>()
  const started = performance.now()
  const state = await alice.service.runJob(jobId, {
    onProgress: (e) => {
      events.push(`${e.type}:${e.detail.round}`)
      at.set(`${e.type}:${e.detail.round}`, performance.now())
    },
  })
  const jobMs = performance.now() - started

  // Progress and status.
  assert.equal(state.status, 'finished')
  assert.deepEqual(
    events.filter((e) => e.startsWith('federated:round:committed')),
    ['federated:round:committed:1', 'federated:round:committed:2', 'federated:round:committed:3'],
  )
  const status = await alice.service.status(jobId)
  assert.equal(status.round, 3)
  assert.equal(status.rounds, 3)
  assert.equal(status.losses.length, 3)
  assert.ok(status.losses.every((l) => l.members === 3 && l.dropped === 0))
  // Every participant keeps the committed model (what a replacement coordinator resumes from).
  const bobState = await new JobStateStore(join(dir.path, 'bob')).load(jobId)
  assert.equal(bobState?.global.round, 3)
  assert.equal(bobState?.global.hash, state.global.hash)

  // Quality: below the base model, within 10% of centralized training on the union for the same steps.
  const result = await readGgufParams(state.resultPath!)
  await trainer.loadParams(result.params)
  const federatedLoss = (await trainer.evaluate(heldOut, EVAL)).loss
  await trainer.loadParams(baseParams)
  await trainer.train({ data: toTokenDataset(train), ...LOCAL, steps: 3 * LOCAL.steps, seed: 1 })
  const centralizedLoss = (await trainer.evaluate(heldOut, EVAL)).loss
  const summary = `base ${baseLoss.toFixed(3)}, federated ${federatedLoss.toFixed(3)}, centralized ${centralizedLoss.toFixed(3)}`
  assert.ok(federatedLoss < baseLoss - 1, summary)
  assert.ok(federatedLoss <= centralizedLoss * 1.1, summary)
  const wall = status.losses.map((l) => l.wallMs)
  t.diagnostic(`${summary}; round wall ms ${wall.join(', ')}; whole job ${Math.round(jobMs)} ms`)
  // After the last masked upload: unmask + aggregate + on-chain commit + result delivery and storage.
  const tail = [2, 3].map((r) =>
    Math.round(at.get(`federated:round:committed:${r}`)! - at.get(`federated:round:aggregated:${r}`)!),
  )
  const keys = [2, 3].map((r) =>
    Math.round(at.get(`federated:round:configured:${r}`)! - at.get(`federated:round:committed:${r - 1}`)!),
  )
  t.diagnostic(
    `rounds 2, 3 (ms): configure + signed keys ${keys.join(', ')}; aggregated -> committed on chain and stored by all ${tail.join(', ')}`,
  )

  // The wire: the coordinator received only keys, sealed shares, masked vectors and unmask shares.
  const roundOneDeltas = new Map<string, Float32Array>()
  await using replica = await createTfjsTrainer({ config: MODEL_CONFIG, seed: 0 })
  for (const [i, m] of [bob, carol].entries()) {
    const r = await runLocalRound(
      { trainer: replica },
      { globalParams: baseParams, data: shards[i + 1]!, config: LOCAL, round: 1 },
    )
    roundOneDeltas.set(m.host.peerId, deltaOf(r.update, base))
  }
  const scale = 2 ** 23 // fixedPointScale(50, 3)
  for (const m of [bob, carol]) {
    const frames = tap.frames(m.host.peerId)
    assert.ok(frames.length > 0)
    const types = new Set(frames.map((f) => f.type))
    assert.deepEqual([...types].sort(), ['keys', 'masked', 'shares', 'stored', 'unmask-response'])
    const masked = frames.filter((f) => f.type === 'masked')
    assert.equal(masked.length, 3, 'one masked upload per round')
    for (const f of masked)
      assert.deepEqual(Object.keys(f).sort(), [
        'contributionSignature',
        'masked',
        'metrics',
        'numExamples',
        'type',
      ])
    // Round 1's masked vector, read as fixed point, is unrelated to the member's real delta.
    const asFloats = Float32Array.from(
      new Int32Array(uint32FromBase64(masked[0]!.masked as string).buffer),
      (x) => x / scale,
    )
    const leak = correlation(asFloats, roundOneDeltas.get(m.host.peerId)!)
    assert.ok(Math.abs(leak) < 0.05, `masked upload correlates ${leak} with the plaintext delta`)
  }
  // ...while the unmasked mean it aggregated matches the members' real deltas.
  const aliceDelta = deltaOf(
    (
      await runLocalRound(
        { trainer: replica },
        { globalParams: baseParams, data: shards[0]!, config: LOCAL, round: 1 },
      )
    ).update,
    base,
  )
  const round1 = new JobStateStore(join(dir.path, 'alice'))
  const g1 = await round1.loadGlobal({
    ...state,
    global: {
      round: 1,
      hash: (await getTrainingJob(net.reader, jobId)).roundRecords[0]!.modelHash,
      layout: state.global.layout,
    },
  })
  const aggregated = flattenTensorMap(g1).map((x, i) => x - base[i]!)
  const trueMean = aliceDelta.map(
    (x, i) => (x + roundOneDeltas.get(bob.host.peerId)![i]! + roundOneDeltas.get(carol.host.peerId)![i]!) / 3,
  )
  assert.ok(
    correlation(aggregated, trueMean) > 0.99,
    `aggregate vs true mean ${correlation(aggregated, trueMean)}`,
  )

  // On chain: rounds, contributions, result root, and the governance proposal with the right calls.
  const job = await getTrainingJob(net.reader, jobId)
  assert.equal(job.status, 'finished')
  assert.equal(job.committedRounds, 3)
  assert.equal(job.resultRoot, await fileSha256(state.resultPath!))
  assert.ok(job.roundRecords.every((r) => r.contributions.length === 3))
  const expectedMints = sharesForContributors(job.totals, BigInt(state.spec.contribution.sharesToMint))
  assert.equal(expectedMints.length, 3)
  const model = await getModel(net.reader, modelId)
  const proposal = (await listProposals(net.reader, model)).find((p) => p.id === job.proposalId)
  assert.ok(proposal, 'the job opened a proposal')
  assert.equal(proposal.proposer, alice.account.address)
  const [publish, ...mints] = proposal.calldatas
  assert.equal(proposal.targets[0]!.toLowerCase(), net.deployment.modelRegistry.toLowerCase())
  assert.deepEqual(decodeFunctionData({ abi: ModelRegistry.abi, data: publish! }).args, [
    modelId,
    job.versionId,
  ])
  assert.deepEqual(
    mints.map((d) => decodeFunctionData({ abi: ModelShares.abi, data: d }).args),
    expectedMints.map((m) => [m.address, m.amount]),
  )
  assert.ok(proposal.targets.slice(1).every((x) => x.toLowerCase() === model.shares.toLowerCase()))
  const version = (await listVersions(net.reader, modelId)).find((v) => v.contentRoot === job.resultRoot)
  assert.equal(version?.status, 'proposed')
})

test('a member crashing mid-round does not stop it; a killed coordinator is replaced and the job resumes from the last committed round', async (t) => {
  // Four members: a round of three members that went on with two survivors would reveal one member's
  // update to the coordinator, so it aborts instead (malicious-coordinator.unit.test.ts); with four, one
  // member may drop and three updates still hide each other.
  await using net = await startDevnet(1)
  await using dir = await tmpDir('commons-fl-')
  const alice = await startMember(net, 'alice', join(dir.path, 'alice'))
  const bob = await startMember(net, 'bob', join(dir.path, 'bob'))
  let carol = await startMember(net, 'carol', join(dir.path, 'carol'))
  const dave = await startMember(net, 'dave', join(dir.path, 'dave'))
  const members = [alice, bob, carol, dave]
  t.after(async () => {
    for (const m of [alice, bob, carol, dave]) await stopMember(m).catch(() => {})
  })
  for (const m of [bob, carol, dave]) await alice.host.connect(m.host.multiaddrs()[0]!)
  for (const m of [carol, dave]) await bob.host.connect(m.host.multiaddrs()[0]!)
  const modelId = await createSharedModel(net, members, 'fl-failover')
  const { shards } = await corpusShards(4)
  await using trainer = await createTfjsTrainer({ config: MODEL_CONFIG, seed: 5 })
  const baseGguf = join(dir.path, 'base.gguf')
  await trainer.exportGguf(baseGguf)
  const jobId = await alice.service.createJob(
    jobSpec(members, {
      modelId,
      baseContentRoot: await fileSha256(baseGguf),
      rounds: 2,
    }),
    { baseGguf },
  )
  for (const [i, m] of members.entries()) await m.service.joinJob(jobId, { train: shards[i]! })

  // Round 1: carol dies during local training, after sharing her keys. Then alice dies after committing round 1.
  // Mid-round 1 (the keys are in), bob tries to seize the coordinator role after 800 s of chain time: a
  // round with default phase deadlines can take 690 s, and the ledger's window (900 s) exceeds it.
  carol.crashOnNextTrain = () => stopMember(carol)
  const killed = new AbortController()
  let seize: Promise<unknown> | undefined
  const run = alice.service.runJob(jobId, {
    signal: killed.signal,
    onProgress: (e) => {
      if (e.type === 'federated:round:configured' && e.detail.round === 1 && seize === undefined)
        seize = net.chain
          .warp(800)
          .then(() => takeOverTrainingJob(net.as(bob.account), { jobId }))
          .then(
            () => undefined,
            (err: unknown) => err,
          )
      if (e.type === 'federated:round:committed' && e.detail.round === 1)
        killed.abort(new Error('coordinator killed'))
    },
  })
  await assert.rejects(run, (e: Error) => e.name === 'AbortedError')
  assert.ok(seize, 'the takeover was attempted mid-round')
  const seized = (await seize) as (Error & { details?: { errorName?: string } }) | undefined
  assert.equal(
    seized?.details?.errorName,
    'TrainingTakeoverTooEarly',
    `takeover mid-round: ${seized?.message}`,
  )
  await stopMember(alice)
  let job = await getTrainingJob(net.reader, jobId)
  assert.equal(job.committedRounds, 1)
  assert.deepEqual(
    job.roundRecords[0]!.contributions.map((c) => c.address).sort(),
    [alice.account.address, bob.account.address, dave.account.address].sort(),
    'round 1 was summed without carol, who dropped mid-round',
  )
  const bobCopy = await new JobStateStore(join(dir.path, 'bob')).load(jobId)
  assert.equal(
    bobCopy?.global.hash,
    job.roundRecords[0]!.modelHash,
    'bob stored the committed model before the commit was reported',
  )
  const aliceState = await new JobStateStore(join(dir.path, 'alice')).load(jobId)
  assert.deepEqual(aliceState?.history[0]?.dropped, [carol.host.peerId])

  // Carol restarts (same key and data dir) and rejoins; bob takes over once the takeover timeout passed.
  carol = await startMember(net, 'carol', join(dir.path, 'carol'), { key: carol.key })
  await carol.service.joinJob(jobId, { train: shards[2]! })
  await bob.host.connect(carol.host.multiaddrs()[0]!)
  await assert.rejects(bob.service.takeOver(jobId), (e: Error & { details?: { errorName?: string } }) => {
    assert.equal(e.details?.errorName, 'TrainingTakeoverTooEarly', e.message)
    return true
  })
  await net.chain.warp(901)
  const state = await bob.service.takeOver(jobId)
  assert.equal(state.status, 'finished')

  job = await getTrainingJob(net.reader, jobId)
  assert.equal(job.status, 'finished')
  assert.equal(job.coordinator, bob.account.address)
  assert.equal(job.roundRecords[0]!.coordinator, alice.account.address)
  assert.equal(job.roundRecords[1]!.coordinator, bob.account.address)
  assert.deepEqual(
    job.roundRecords[1]!.contributions.map((c) => c.address).sort(),
    [bob.account.address, carol.account.address, dave.account.address].sort(),
    'round 2 ran without the dead coordinator',
  )
  assert.notEqual(job.proposalId, 0n)
  const model = await getModel(net.reader, modelId)
  const proposal = (await listProposals(net.reader, model)).find((p) => p.id === job.proposalId)
  assert.equal(proposal?.proposer, bob.account.address)
  assert.equal(proposal?.calldatas.length, 5, 'publish + a mint for each of the four contributors')

  // A participant answers only the job's current on-chain coordinator: carol posing as one is refused by name.
  const stream = await carol.host.dial(bob.host.peerId, FL_PROTOCOL)
  const channel = new StreamChannel(stream, bob.host.peerId)
  await channel.send({
    type: 'configure',
    jobId: jobId.toString(),
    round: 3,
    roundId: 'forged',
    spec: state.spec,
    roundMembers: [carol.host.peerId, bob.host.peerId],
    bucketId: 'secure-sum',
    members: [carol.host.peerId, bob.host.peerId],
    threshold: 2,
    scale: 1,
    maxAbs: 1,
    noiseStd: 0,
    local: LOCAL,
    global: { layout: [{ name: 'x', shape: [1] }], data: 'AAAAAA==' },
    globalHash: job.roundRecords[1]!.modelHash,
  })
  await assert.rejects(channel.receive(keysMessage), (e: Error & { remoteName?: string }) => {
    assert.equal(e.name, 'RemoteError')
    assert.equal(e.remoteName, 'NotJobCoordinatorError')
    return true
  })
})
