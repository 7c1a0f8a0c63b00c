import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { test } from 'node:test'
import { getTrainingJob } from '../../src/chain/actions/training-get-job.ts'
import { createDataCommons } from '../../src/data/index.ts'
import { fileSha256 } from '../../src/federated/job-coordinator.ts'
import type { RoundProgressEvent } from '../../src/federated/progress.ts'
import { BUNDLED_CORPUS_PATH } from '../../src/training/data/constants.ts'
import { loadCorpus } from '../../src/training/data/corpus-loader.ts'
import { partitionCorpus } from '../../src/training/data/corpus-split.ts'
import { createTfjsTrainer } from '../../src/training/index.ts'
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
} from './fixtures.ts'

const CONSENT = {
  licence: 'CC-BY-4.0',
  consentUri: 'https://example.org/consent/v1',
  consentHash: `0x${'cc'.repeat(32)}`,
}

test('compute-to-data over libp2p: members refuse a purpose their consent does not allow, with the reason; lineage of a 3-member job lists exactly its datasets, members and rounds; after a withdrawal the next job runs without the dataset and lineage marks the versions', async (t) => {
  const t0 = performance.now()
  const lap = (what: string) => t.diagnostic(`${what}: ${Math.round(performance.now() - t0)} ms`)
  await using net = await startDevnet(1)
  await using dir = await tmpDir('commons-data-')
  const members: Member[] = [
    await startMember(net, 'alice', join(dir.path, 'alice')),
    await startMember(net, 'bob', join(dir.path, 'bob')),
    await startMember(net, 'carol', join(dir.path, 'carol')),
  ]
  const [alice, bob, carol] = members as [Member, Member, Member]
  t.after(async () => {
    for (const m of members) await stopMember(m).catch(() => {})
  })
  for (const m of [bob, carol]) await alice.host.connect(m.host.multiaddrs()[0]!)
  const modelId = await createSharedModel(net, members, 'data-net')

  // Four datasets on the members' disks: alice 1, bob 1, carol 2. Only their manifest roots go on chain.
  const shards = partitionCorpus(await loadCorpus(BUNDLED_CORPUS_PATH), 4)
  const owners = [alice, bob, carol, carol]
  const datasets: { id: bigint; path: string; owner: Member }[] = []
  for (const [i, shard] of shards.entries()) {
    const path = join(dir.path, `dataset-${i}`)
    await mkdir(path)
    await writeFile(join(path, 'part.txt'), shard.bytes)
    const owner = owners[i]!
    const added = await createDataCommons({}, { chain: net.as(owner.account) }).add({
      path,
      ...CONSENT,
      consentHash: CONSENT.consentHash as `0x${string}`,
      purposes: ['research', 'education'],
    })
    assert.equal(added.owner, owner.account.address)
    datasets.push({ id: BigInt(added.id), path, owner })
  }
  const ids = datasets.map((d) => d.id.toString())
  const own = (m: Member) => datasets.filter((d) => d.owner === m).map(({ id, path }) => ({ id, path }))

  await using trainer = await createTfjsTrainer({ config: MODEL_CONFIG, seed: 5 })
  const baseGguf = join(dir.path, 'base.gguf')
  await trainer.exportGguf(baseGguf)
  const local = { ...LOCAL, steps: 3 }
  const spec = async (p: { purpose: string; rounds: number; base?: string; baseVersionId?: bigint }) => ({
    ...jobSpec(members, {
      modelId,
      baseContentRoot: await fileSha256(p.base ?? baseGguf),
      rounds: p.rounds,
    }),
    baseVersionId: (p.baseVersionId ?? 0n).toString(),
    local,
    data: { purpose: p.purpose, datasets: ids },
  })

  lap('setup')
  // 1. A 3-member job for research, 2 rounds: lineage of its version lists exactly its datasets, members, rounds.
  const research = await alice.service.createJob(await spec({ purpose: 'research', rounds: 2 }), { baseGguf })
  for (const m of members) await m.service.joinJob(research, { datasets: own(m) })
  const first = await alice.service.runJob(research)
  assert.equal(first.status, 'finished')
  const v1 = BigInt(first.versionId!)
  const data = createDataCommons({}, { chain: net.as(carol.account) })
  const lineage1 = await data.lineage({ model: 'data-net', version: v1.toString() })
  assert.equal(lineage1.jobId, research.toString())
  assert.deepEqual(
    lineage1.datasets.map((d) => d.id),
    ids,
  )
  assert.deepEqual(lineage1.members, members.map((m) => m.account.address).sort())
  assert.deepEqual(
    lineage1.rounds.map((r) => [r.round, r.contributions.length]),
    [
      [1, 3],
      [2, 3],
    ],
  )
  const carolRound = lineage1.rounds[0]!.contributions.find((x) => x.member === carol.account.address)!
  assert.deepEqual(
    carolRound.datasets.map((d) => d.id),
    [ids[2], ids[3]],
  )
  assert.equal(
    carolRound.datasets.reduce((n, d) => n + BigInt(d.amount), 0n),
    BigInt(carolRound.amount),
    "carol's signed parts sum to her amount",
  )
  assert.equal(lineage1.marked, false)

  lap('2-round job + lineage')
  // 2. The next job (from v1) is joined by all, carol with both her datasets; then carol withdraws the second.
  const next = await alice.service.createJob(
    await spec({ purpose: 'education', rounds: 1, base: first.resultPath!, baseVersionId: v1 }),
    { baseGguf: first.resultPath! },
  )
  for (const m of members) await m.service.joinJob(next, { datasets: own(m) })
  const { remedy } = await data.withdraw(ids[3]!)
  const offer = remedy.models.find((m) => m.modelId === modelId.toString())!
  assert.deepEqual(offer.markedVersions, [v1.toString()])
  assert.deepEqual(offer.retrain.specChanges['data.datasets'], ids.slice(0, 3))
  assert.match(offer.revoke[0]!.command, new RegExp(`revoke-version --model ${modelId} --version ${v1}`))
  assert.deepEqual((await data.lineage({ model: 'data-net', version: v1.toString() })).withdrawnDatasets, [
    ids[3],
  ])

  lap('withdrawal + remedy')
  // 3. Its round runs with all three members, carol on her remaining dataset only (checked before the round).
  const nextDropped: string[] = []
  const second = await alice.service
    .runJob(next, {
      onProgress: (e) => {
        if (e.type === 'federated:member:dropped') nextDropped.push(`${e.detail.phase}: ${e.detail.reason}`)
      },
    })
    .catch((err: Error) => assert.fail(`${err.message} (dropped: ${nextDropped.join('; ')})`))
  const lineage2 = await data.lineage({ model: 'data-net', version: second.versionId! })
  assert.deepEqual(
    lineage2.datasets.map((d) => d.id),
    ids.slice(0, 3),
    'the round ran without the withdrawn dataset',
  )
  const carolNext = lineage2.rounds[0]!.contributions.find((x) => x.member === carol.account.address)!
  assert.deepEqual(
    carolNext.datasets.map((d) => [d.id, d.amount]),
    [[ids[2], carolNext.amount]],
  )
  assert.equal(lineage2.rounds[0]!.contributions.length, 3)
  assert.equal(lineage2.baseVersionId, v1.toString())
  assert.deepEqual(lineage2.withdrawnDatasets, [ids[3]], 'trained from a marked version: marked too')
  lap('job after withdrawal + lineage')
  // 4. Joining with the withdrawn dataset is refused outright.
  await assert.rejects(carol.service.joinJob(next, { datasets: own(carol) }), /was withdrawn by its owner/)
  // 5. A purpose the consent terms do not allow: every member refuses before any key leaves it, and says why.
  const marketing = await alice.service.createJob(await spec({ purpose: 'marketing', rounds: 1 }), {
    baseGguf,
  })
  // A member cannot train on another member's dataset without a licence: refused at join, with the reason.
  await assert.rejects(bob.service.joinJob(marketing, { datasets: own(alice) }), (e: Error) => {
    assert.equal(e.name, 'DatasetUseRefusedError')
    assert.match(
      e.message,
      new RegExp(
        `dataset ${datasets[0]!.id} belongs to ${alice.account.address}, who granted ${bob.account.address} no licence`,
      ),
    )
    return true
  })
  for (const m of members)
    await m.service.joinJob(marketing, { datasets: own(m).filter((d) => d.id.toString() !== ids[3]) })
  const dropped: RoundProgressEvent[] = []
  await assert.rejects(
    alice.service.runJob(marketing, {
      onProgress: (e) => e.type === 'federated:member:dropped' && dropped.push(e),
    }),
  )
  const reasons = dropped.map((e) => (e.detail as { peerId: string; reason?: string }).reason ?? '')
  assert.equal(dropped.length, 3, 'all three members refused')
  for (const r of reasons) {
    assert.match(r, /DatasetUseRefusedError/)
    assert.match(r, /do not allow the purpose "marketing"/)
  }
  assert.equal((await getTrainingJob(net.reader, marketing)).committedRounds, 0, 'no round was committed')
  lap('refused job')
})
