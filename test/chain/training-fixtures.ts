/** Shared by the TrainingLedger, dataset and royalty tests: a model on a real devnet and signed rounds. */
import assert from 'node:assert/strict'
import { parseEther } from 'viem'
import type { PrivateKeyAccount } from 'viem/accounts'
import { createModel } from '../../src/chain/actions/create-model.ts'
import {
  type ContributionDatasets,
  signTrainingContribution,
} from '../../src/chain/actions/training-contribution.ts'
import { MIN_TAKEOVER_TIMEOUT_S } from '../../src/federated/constants.ts'
import { type Devnet, startDevnet } from './devnet.ts'

export const hash = (byte: string) => `0x${byte.repeat(32)}` as const
export const settings = {
  votingDelay: 300,
  votingPeriod: 3_600,
  proposalThreshold: 0n,
  quorumPercent: 40n,
  timelockDelay: 600n,
}
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
