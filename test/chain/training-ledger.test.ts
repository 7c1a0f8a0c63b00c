import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseEther } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { proposeVersion } from '../../src/chain/actions/propose-version.ts'
import { commitTrainingRound } from '../../src/chain/actions/training-commit-round.ts'
import { signTrainingContribution } from '../../src/chain/actions/training-contribution.ts'
import { createTrainingJob } from '../../src/chain/actions/training-create-job.ts'
import { finishTrainingJob } from '../../src/chain/actions/training-finish-job.ts'
import { getTrainingJob } from '../../src/chain/actions/training-get-job.ts'
import { heartbeatTrainingJobIfDue } from '../../src/chain/actions/training-heartbeat.ts'
import { joinTrainingJob } from '../../src/chain/actions/training-join-job.ts'
import { recordTrainingProposal } from '../../src/chain/actions/training-record-proposal.ts'
import { takeOverTrainingJob } from '../../src/chain/actions/training-take-over.ts'
import type { ChainWriter } from '../../src/chain/chain-client.ts'
import { DEFAULT_TIMEOUTS, MIN_TAKEOVER_TIMEOUT_S } from '../../src/federated/constants.ts'
import { maxRoundSeconds } from '../../src/federated/round-bound.ts'
import { type Account, BASE, hash, jobInput, revertsWith, setup, signed } from './training-fixtures.ts'

test('TrainingLedger records a job, its rounds, contributions and result; unauthorized writes revert by name', async () => {
  const { net, accounts, modelId } = await setup(4)
  await using _net = net
  const [alice, bob, carol, mallory] = accounts as [Account, Account, Account, Account]
  assert.ok(net.deployment.trainingLedger, 'deployContracts deploys the TrainingLedger')
  const job = jobInput(modelId, [alice, bob, carol], alice)

  // Only shareholders create jobs; the coordinator must be a participant.
  await revertsWith(createTrainingJob(net.as(mallory), job), 'TrainingNotShareholder')
  await revertsWith(
    createTrainingJob(net.as(alice), { ...job, coordinator: mallory.address }),
    'TrainingNotParticipant',
  )
  await revertsWith(
    createTrainingJob(net.as(alice), { ...job, participants: [alice.address, alice.address] }),
    'TrainingDuplicateParticipant',
  )
  await revertsWith(createTrainingJob(net.as(alice), { ...job, rounds: 0 }), 'TrainingInvalidJob')
  const jobId = await createTrainingJob(net.as(bob), job)
  assert.equal(jobId, 1n)
  // Pending until every participant opted in (bob, the creator, joined on creation).
  assert.equal((await getTrainingJob(net.reader, jobId)).status, 'pending')
  await revertsWith(joinTrainingJob(net.as(mallory), { jobId }), 'TrainingNotParticipant')
  await joinTrainingJob(net.as(alice), { jobId })
  assert.equal(await joinTrainingJob(net.as(alice), { jobId }), undefined, 'joining twice is a no-op')
  await joinTrainingJob(net.as(carol), { jobId })
  assert.equal((await getTrainingJob(net.reader, jobId)).status, 'active')

  // Round 1 by the coordinator; others (participant or stranger) cannot commit.
  const from1 = { jobId, round: 1, trainedFrom: BASE }
  const round1 = {
    ...from1,
    modelHash: hash('a1'),
    inputsCommitment: hash('b1'),
    contributions: await signed(net, from1, [
      [carol, 30n],
      [alice, 50n],
      [bob, 20n],
    ]),
  }
  await revertsWith(commitTrainingRound(net.as(bob), round1), 'TrainingNotCoordinator')
  await revertsWith(commitTrainingRound(net.as(mallory), round1), 'TrainingNotCoordinator')
  await revertsWith(commitTrainingRound(net.as(alice), { ...round1, round: 2 }), 'TrainingUnexpectedRound')
  await revertsWith(
    commitTrainingRound(net.as(alice), {
      ...round1,
      contributions: await signed(net, from1, [[mallory, 1n]]),
    }),
    'TrainingNotParticipant',
  )
  await commitTrainingRound(net.as(alice), round1)
  await revertsWith(
    finishTrainingJob(net.as(alice), { jobId, resultRoot: hash('cc') }),
    'TrainingRoundsIncomplete',
  )

  // Takeover: not before the timeout, not by strangers; then bob replaces alice and alice is locked out.
  await revertsWith(takeOverTrainingJob(net.as(bob), { jobId }), 'TrainingTakeoverTooEarly')
  await net.chain.warp(MIN_TAKEOVER_TIMEOUT_S + 1)
  await revertsWith(takeOverTrainingJob(net.as(mallory), { jobId }), 'TrainingNotParticipant')
  await revertsWith(takeOverTrainingJob(net.as(alice), { jobId }), 'TrainingAlreadyCoordinator')
  await takeOverTrainingJob(net.as(bob), { jobId })
  const from2 = { jobId, round: 2, trainedFrom: hash('a1') }
  const round2 = {
    ...from2,
    modelHash: hash('a2'),
    inputsCommitment: hash('b2'),
    contributions: await signed(net, from2, [
      [alice, 40n],
      [bob, 25n],
    ]),
  }
  await revertsWith(commitTrainingRound(net.as(alice), round2), 'TrainingNotCoordinator')
  await commitTrainingRound(net.as(bob), round2)
  await revertsWith(
    recordTrainingProposal(net.as(bob), { jobId, versionId: 1n, proposalId: 9n }),
    'TrainingJobNotFinished',
  )
  await revertsWith(
    finishTrainingJob(net.as(alice), { jobId, resultRoot: hash('cc') }),
    'TrainingNotCoordinator',
  )
  await finishTrainingJob(net.as(bob), { jobId, resultRoot: hash('cc') })
  await revertsWith(commitTrainingRound(net.as(bob), { ...round2, round: 3 }), 'TrainingJobNotActive')
  await revertsWith(takeOverTrainingJob(net.as(carol), { jobId }), 'TrainingJobNotActive')
  const version = { modelId, format: 'gguf', size: 1n, cardURI: '' }
  const versionId = await proposeVersion(net.as(bob), { ...version, contentRoot: hash('cc') })
  await recordTrainingProposal(net.as(bob), { jobId, versionId, proposalId: 9n })

  // The finished job reads back completely.
  const record = await getTrainingJob(net.reader, jobId)
  assert.equal(record.status, 'finished')
  assert.equal(record.creator, bob.address)
  assert.equal(record.coordinator, bob.address)
  assert.equal(record.committedRounds, 2)
  assert.equal(record.resultRoot, hash('cc'))
  assert.equal(record.specHash, hash('22'))
  assert.equal(record.contributionRule, 'examples')
  assert.deepEqual(record.participants, job.participants)
  assert.deepEqual(record.joined, job.participants)
  assert.equal(record.versionId, versionId)
  assert.equal(record.proposalId, 9n)
  assert.equal(record.roundRecords[0]!.coordinator, alice.address)
  assert.equal(record.roundRecords[0]!.trainedFrom, BASE)
  assert.equal(record.roundRecords[1]!.coordinator, bob.address)
  assert.equal(record.roundRecords[1]!.modelHash, hash('a2'))
  const sortedAddrs = round1.contributions
    .map((x) => x.address)
    .sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))
  assert.deepEqual(
    record.roundRecords[0]!.contributions.map((x) => x.address),
    sortedAddrs,
    'contributors are stored in address order',
  )
  const total = Object.fromEntries(record.totals.map((t) => [t.address, t.amount]))
  assert.deepEqual(total, { [alice.address]: 90n, [bob.address]: 45n, [carol.address]: 30n })
  await revertsWith(getTrainingJob(net.reader, 99n), 'TrainingUnknownJob')
})

test('a coordinator cannot credit itself, inflate an amount, replay a signature, enrol a non-consenting member or relink the proposal', async () => {
  const { net, accounts, modelId } = await setup(3)
  await using _net = net
  const [alice, bob, carol] = accounts as [Account, Account, Account]
  const as = (a: Account): ChainWriter => net.as(a)

  // Alice names carol, who never agreed: the job stays pending; nothing can be committed or credited.
  const forced = await createTrainingJob(as(alice), jobInput(modelId, [alice, bob, carol], alice))
  await joinTrainingJob(as(bob), { jobId: forced })
  const from = { jobId: forced, round: 1, trainedFrom: BASE }
  await revertsWith(
    commitTrainingRound(as(alice), {
      ...from,
      modelHash: hash('a1'),
      inputsCommitment: hash('b1'),
      contributions: await signed(net, from, [
        [alice, 10n],
        [bob, 10n],
        [carol, 10n],
      ]),
    }),
    'TrainingJobNotActive',
  )
  await revertsWith(takeOverTrainingJob(as(bob), { jobId: forced }), 'TrainingJobNotActive')
  assert.equal((await getTrainingJob(net.reader, forced)).status, 'pending')

  // A job all three joined.
  const jobId = await createTrainingJob(as(alice), jobInput(modelId, [alice, bob, carol], alice))
  for (const m of [bob, carol]) await joinTrainingJob(as(m), { jobId })
  const r1 = { jobId, round: 1, trainedFrom: BASE }
  const honest = await signed(net, r1, [
    [alice, 50n],
    [bob, 20n],
    [carol, 30n],
  ])
  const commit = (contributions: typeof honest, p: Partial<typeof r1> = {}) =>
    commitTrainingRound(as(alice), {
      ...r1,
      ...p,
      modelHash: hash('a1'),
      inputsCommitment: hash('b1'),
      contributions,
    })
  const [aliceC, bobC, carolC] = honest as [(typeof honest)[0], (typeof honest)[0], (typeof honest)[0]]
  // Crediting itself for work it did not sign (the coordinator signs only its own amount: 50).
  await revertsWith(commit([{ ...aliceC, amount: 5_000n }, bobC, carolC]), 'TrainingBadContributionSignature')
  // Inflating a member's amount over what it signed.
  await revertsWith(commit([aliceC, { ...bobC, amount: 2_000n }, carolC]), 'TrainingBadContributionSignature')
  // Crediting a member with another member's signature.
  await revertsWith(
    commit([aliceC, { ...bobC, signature: carolC.signature }, carolC]),
    'TrainingBadContributionSignature',
  )
  await commit(honest)

  // Replaying round 1's signatures in round 2, or claiming round 2 trained from another model.
  const r2 = { jobId, round: 2, trainedFrom: hash('a1') }
  await revertsWith(commit(honest, { round: 2, trainedFrom: hash('a1') }), 'TrainingBadContributionSignature')
  await revertsWith(
    commit(await signed(net, { ...r2, trainedFrom: hash('ee') }, [[bob, 1n]]), {
      round: 2,
      trainedFrom: hash('ee'),
    }),
    'TrainingWrongStartingModel',
  )
  await commit(await signed(net, r2, [[bob, 7n]]), { round: 2, trainedFrom: hash('a1') })
  await finishTrainingJob(as(alice), { jobId, resultRoot: hash('cc') })

  // The proposal link: only to a version holding the job's result, and only once.
  const version = { modelId, format: 'gguf', size: 1n, cardURI: '' }
  const other = await proposeVersion(as(bob), { ...version, contentRoot: hash('dd') })
  const result = await proposeVersion(as(alice), { ...version, contentRoot: hash('cc') })
  await revertsWith(
    recordTrainingProposal(as(alice), { jobId, versionId: other, proposalId: 5n }),
    'TrainingVersionMismatch',
  )
  await recordTrainingProposal(as(alice), { jobId, versionId: result, proposalId: 5n })
  await revertsWith(
    recordTrainingProposal(as(alice), { jobId, versionId: result, proposalId: 6n }),
    'TrainingProposalAlreadyRecorded',
  )
  const record = await getTrainingJob(net.reader, jobId)
  assert.equal(record.proposalId, 5n)
  const total = Object.fromEntries(record.totals.map((t) => [t.address, t.amount]))
  assert.deepEqual(total, { [alice.address]: 50n, [bob.address]: 27n, [carol.address]: 30n })
})

test('no participant can take over while the coordinator is mid-round; it can once the coordinator stopped', async () => {
  const { net, accounts, modelId } = await setup(3)
  await using _net = net
  const [alice, bob, carol] = accounts as [Account, Account, Account]
  const roundSeconds = maxRoundSeconds(DEFAULT_TIMEOUTS)
  assert.ok(roundSeconds < MIN_TAKEOVER_TIMEOUT_S, `${roundSeconds} s round < ${MIN_TAKEOVER_TIMEOUT_S} s`)

  // The audit's setting: a 600 s takeover against rounds of up to 690 s of phases. The ledger refuses it.
  const as = (a: Account): ChainWriter => net.as(a)
  const input = jobInput(modelId, [alice, bob, carol], alice)
  await revertsWith(
    createTrainingJob(as(alice), { ...input, takeoverTimeout: 600n }),
    'TrainingTakeoverTimeoutTooShort',
  )
  const jobId = await createTrainingJob(as(alice), input)
  for (const m of [bob, carol]) await joinTrainingJob(as(m), { jobId })

  // Round 1 starts right away (no heartbeat due) and runs its full 690 s of phases: bob's takeover fails.
  assert.equal(await heartbeatTrainingJobIfDue(as(alice), { jobId, needSeconds: roundSeconds }), undefined)
  await net.chain.warp(690)
  await revertsWith(takeOverTrainingJob(as(bob), { jobId }), 'TrainingTakeoverTooEarly')
  const r1 = { jobId, round: 1, trainedFrom: BASE }
  await commitTrainingRound(as(alice), {
    ...r1,
    modelHash: hash('a1'),
    inputsCommitment: hash('b1'),
    contributions: await signed(net, r1, [[bob, 3n]]),
  })

  // The coordinator idles 700 s before round 2: too little window left, so it posts a heartbeat first;
  // the round then runs its longest and a takeover mid-round still fails.
  await net.chain.warp(700)
  assert.notEqual(await heartbeatTrainingJobIfDue(as(alice), { jobId, needSeconds: roundSeconds }), undefined)
  await net.chain.warp(roundSeconds)
  await revertsWith(takeOverTrainingJob(as(carol), { jobId }), 'TrainingTakeoverTooEarly')
  await revertsWith(takeOverTrainingJob(as(bob), { jobId }), 'TrainingTakeoverTooEarly')

  // The coordinator really stopped (no write for the whole timeout): now a participant may take over.
  await net.chain.warp(MIN_TAKEOVER_TIMEOUT_S - roundSeconds + 1)
  await takeOverTrainingJob(as(bob), { jobId })
  assert.equal((await getTrainingJob(net.reader, jobId)).coordinator, bob.address)
  await revertsWith(
    heartbeatTrainingJobIfDue(as(alice), { jobId, needSeconds: MIN_TAKEOVER_TIMEOUT_S }),
    'TrainingNotCoordinator',
  )
})
