import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseEther } from 'viem'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { commitTrainingRound } from '../../src/chain/actions/training-commit-round.ts'
import { createTrainingJob } from '../../src/chain/actions/training-create-job.ts'
import { finishTrainingJob } from '../../src/chain/actions/training-finish-job.ts'
import { getTrainingJob } from '../../src/chain/actions/training-get-job.ts'
import { recordTrainingProposal } from '../../src/chain/actions/training-record-proposal.ts'
import { takeOverTrainingJob } from '../../src/chain/actions/training-take-over.ts'
import { startDevnet } from './devnet.ts'

const hash = (byte: string) => `0x${byte.repeat(32)}` as const
const settings = {
  votingDelay: 300,
  votingPeriod: 3_600,
  proposalThreshold: 0n,
  quorumPercent: 40n,
  timelockDelay: 600n,
}

/** Asserts that a promise rejects with ContractRevertedError naming the contract's custom error. */
async function revertsWith(p: Promise<unknown>, errorName: string): Promise<void> {
  await assert.rejects(p, (e: Error & { details?: { errorName?: string } }) => {
    assert.equal(e.name, 'ContractRevertedError')
    assert.equal(e.details?.errorName, errorName, e.message)
    return true
  })
}

test('TrainingLedger records a job, its rounds, contributions and result; unauthorized writes revert by name', async () => {
  await using net = await startDevnet(4)
  const [alice, bob, carol, mallory] = net.accounts as [
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
    (typeof net.accounts)[0],
  ]
  assert.ok(net.deployment.trainingLedger, 'deployContracts deploys the TrainingLedger')
  const { modelId } = await createModel(net.deployer, {
    name: 'ledger-model',
    symbol: 'LDG',
    cardURI: '',
    owners: [
      { address: alice.address, shares: parseEther('60') },
      { address: bob.address, shares: parseEther('40') },
    ],
    settings,
  })
  const job = {
    modelId,
    baseVersionId: 0n,
    baseContentRoot: hash('11'),
    specHash: hash('22'),
    participants: [alice.address, bob.address, carol.address],
    rounds: 2,
    contributionRule: 'examples' as const,
    coordinator: alice.address,
    takeoverTimeout: 300n,
  }

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

  // Round 1 by the coordinator; others (participant or stranger) cannot commit.
  const round1 = {
    jobId,
    round: 1,
    modelHash: hash('a1'),
    inputsCommitment: hash('b1'),
    contributions: [
      { address: carol.address, amount: 30n },
      { address: alice.address, amount: 50n },
      { address: bob.address, amount: 20n },
    ],
  }
  await revertsWith(commitTrainingRound(net.as(bob), round1), 'TrainingNotCoordinator')
  await revertsWith(commitTrainingRound(net.as(mallory), round1), 'TrainingNotCoordinator')
  await revertsWith(commitTrainingRound(net.as(alice), { ...round1, round: 2 }), 'TrainingUnexpectedRound')
  await revertsWith(
    commitTrainingRound(net.as(alice), {
      ...round1,
      contributions: [{ address: mallory.address, amount: 1n }],
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
  await net.chain.warp(301)
  await revertsWith(takeOverTrainingJob(net.as(mallory), { jobId }), 'TrainingNotParticipant')
  await revertsWith(takeOverTrainingJob(net.as(alice), { jobId }), 'TrainingAlreadyCoordinator')
  await takeOverTrainingJob(net.as(bob), { jobId })
  const round2 = {
    jobId,
    round: 2,
    modelHash: hash('a2'),
    inputsCommitment: hash('b2'),
    contributions: [
      { address: alice.address, amount: 40n },
      { address: bob.address, amount: 25n },
    ],
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
  await recordTrainingProposal(net.as(bob), { jobId, versionId: 1n, proposalId: 9n })

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
  assert.equal(record.versionId, 1n)
  assert.equal(record.proposalId, 9n)
  assert.equal(record.roundRecords[0]!.coordinator, alice.address)
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
