import { encodeAbiParameters, keccak256, recoverTypedDataAddress } from 'viem'
import type { ChainReader, ChainWriter } from '../chain-client.ts'
import { trainingLedgerAddress } from './training-ledger-address.ts'

/**
 * What a participant signs for one round: its contribution measure (example count, or 1 per round), the
 * global model it trained from and the datasets it trained on, bound to the job and round (EIP-712, domain: this chain's TrainingLedger).
 * The ledger credits only signed amounts, so a coordinator can neither credit itself for others' work nor
 * change an amount.
 */
export interface TrainingContribution {
  jobId: bigint
  round: number
  amount: bigint
  /** sha-256 of the global model the round started from. */
  trainedFrom: `0x${string}`
  /** The registered datasets the member trained on (increasing ids), each with its part of `amount`. */
  datasets?: ContributionDatasets
}

/** Datasets named in a contribution: ids strictly increasing, amounts summing to the contribution's amount. */
export interface ContributionDatasets {
  ids: bigint[]
  amounts: bigint[]
}

/** What the ledger's datasetsHashOf computes: keccak256(abi.encode(ids, amounts)). */
export function contributionDatasetsHash(d: ContributionDatasets | undefined): `0x${string}` {
  return keccak256(
    encodeAbiParameters([{ type: 'uint256[]' }, { type: 'uint256[]' }], [d?.ids ?? [], d?.amounts ?? []]),
  )
}

function message(p: TrainingContribution) {
  return {
    jobId: p.jobId,
    round: p.round,
    amount: p.amount,
    trainedFrom: p.trainedFrom,
    datasets: contributionDatasetsHash(p.datasets),
  }
}

const types = {
  Contribution: [
    { name: 'jobId', type: 'uint256' },
    { name: 'round', type: 'uint32' },
    { name: 'amount', type: 'uint256' },
    { name: 'trainedFrom', type: 'bytes32' },
    { name: 'datasets', type: 'bytes32' },
  ],
} as const

function domain(c: ChainReader) {
  return {
    name: 'Commons TrainingLedger',
    version: '1',
    chainId: c.deployment.chainId,
    verifyingContract: trainingLedgerAddress(c),
  } as const
}

/** Signs a contribution with the writer's account (the node key); returns the 65-byte signature. */
export async function signTrainingContribution(
  c: ChainWriter,
  p: TrainingContribution,
): Promise<`0x${string}`> {
  return c.wallet.signTypedData({
    account: c.wallet.account,
    domain: domain(c),
    types,
    primaryType: 'Contribution',
    message: message(p),
  })
}

/** The address that signed a contribution (what the ledger's ecrecover will find). */
export async function recoverTrainingContributor(
  c: ChainReader,
  p: TrainingContribution,
  signature: `0x${string}`,
): Promise<`0x${string}`> {
  return recoverTypedDataAddress({
    domain: domain(c),
    types,
    primaryType: 'Contribution',
    message: message(p),
    signature,
  })
}
