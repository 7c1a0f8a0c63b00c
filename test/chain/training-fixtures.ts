/** Shared by the TrainingLedger, dataset and royalty tests: a model on a real devnet and signed rounds. */
import assert from 'node:assert/strict'
import { parseEther } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { propose } from '../../src/chain/actions/propose.ts'
import { commitTrainingRound } from '../../src/chain/actions/training-commit-round.ts'
import {
  type ContributionDatasets,
  signTrainingContribution,
} from '../../src/chain/actions/training-contribution.ts'
import { createTrainingJob } from '../../src/chain/actions/training-create-job.ts'
import { finishTrainingJob } from '../../src/chain/actions/training-finish-job.ts'
import { joinTrainingJob } from '../../src/chain/actions/training-join-job.ts'
import { recordTrainingProposal } from '../../src/chain/actions/training-record-proposal.ts'
import type { ModelInfo } from '../../src/chain/index.ts'
import { publishVersionCall } from '../../src/chain/proposal-calls.ts'
import { MIN_TAKEOVER_TIMEOUT_S } from '../../src/federated/constants.ts'
import { type Devnet, GOVERNANCE_SETTINGS, startDevnet } from './devnet.ts'

export const hash = (byte: string) => `0x${byte.repeat(32)}` as const
export const settings = GOVERNANCE_SETTINGS
export const BASE = hash('0b')

/** Asserts that a promise rejects with ContractRevertedError naming the contract's custom error. */
export async function revertsWith(p: Promise<unknown>, errorName: string): Promise<void> {
  await assert.rejects(p, (e: Error & { details?: { errorName?: string } }) => {
    assert.equal(e.name, 'ContractRevertedError')
    assert.equal(e.details?.errorName, errorName, e.message)
    return true
  })
}

export type Account = PrivateKeyAccount

/** Each member signs its own amount for (job, round, trainedFrom), as a participant does with its upload. */
export async function signed(
  net: Devnet,
  p: { jobId: bigint; round: number; trainedFrom: `0x${string}` },
  amounts: [Account, bigint, ContributionDatasets?][],
) {
  return Promise.all(
    amounts.map(async ([a, amount, datasets]) => ({
      address: a.address,
      amount,
      datasets,
      signature: await signTrainingContribution(net.as(a), { ...p, amount, datasets }),
    })),
  )
}

export async function setup(n: number) {
  const net = await startDevnet(n)
  const accounts = net.accounts as Account[]
  const [alice, bob] = accounts as [Account, Account]
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
  return { net, accounts, modelId }
}

export function jobInput(modelId: bigint, participants: Account[], coordinator: Account) {
  return {
    modelId,
    baseVersionId: 0n,
    baseContentRoot: hash('11'),
    specHash: hash('22'),
    participants: participants.map((a) => a.address),
    rounds: 2,
    contributionRule: 'examples' as const,
    coordinator: coordinator.address,
    takeoverTimeout: BigInt(MIN_TAKEOVER_TIMEOUT_S),
  }
}

/**
 * Version `versionId` of the model trained by a one-round job in which erin contributed 3 and frank 1
 * (erin coordinates): the job is finished with the version's root and the proposal that publishes it
 * (sent by `proposer`) is recorded on the job. The caller links the job to the version (or tries to).
 */
export async function trainedVersion(
  net: Devnet,
  model: Pick<ModelInfo, 'id' | 'governor' | 'shares' | 'timelock'>,
  versionId: bigint,
  resultRoot: `0x${string}`,
  [proposer, erin, frank]: [Account, Account, Account],
): Promise<{ jobId: bigint; proposalId: bigint }> {
  const jobId = await createTrainingJob(net.as(proposer), {
    modelId: model.id,
    baseVersionId: 0n,
    baseContentRoot: hash('11'),
    specHash: hash('22'),
    participants: [erin.address, frank.address],
    rounds: 1,
    contributionRule: 'examples',
    coordinator: erin.address,
    takeoverTimeout: 900n,
  })
  // Both named participants opt in; each signs its own contribution (TrainingLedger checks it).
  for (const m of [erin, frank]) await joinTrainingJob(net.as(m), { jobId })
  const round = { jobId, round: 1, trainedFrom: hash('11') }
  const contributions = await signed(net, round, [
    [erin, 3n],
    [frank, 1n],
  ])
  await commitTrainingRound(net.as(erin), {
    ...round,
    modelHash: hash('a1'),
    inputsCommitment: hash('b1'),
    contributions,
  })
  await finishTrainingJob(net.as(erin), { jobId, resultRoot })
  const contracts = { registry: net.deployment.modelRegistry, shares: model.shares, timelock: model.timelock }
  const proposalId = await propose(net.as(proposer), {
    governor: model.governor,
    calls: [publishVersionCall(contracts, model.id, versionId)],
    description: `Publish v${versionId}`,
  })
  await recordTrainingProposal(net.as(erin), { jobId, versionId, proposalId })
  return { jobId, proposalId }
}
