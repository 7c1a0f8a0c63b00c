import { keccak256, toBytes } from 'viem'
import type { ChainWriter } from '../chain-client.ts'
import { confirmTransaction } from '../confirm-transaction.ts'
import {
  ModelGovernor,
  ModelRegistry,
  ModelShares,
  ModelTimelock,
  ReleaseGate,
} from '../generated/artifacts.ts'
import type { ProposalInfo } from '../types.ts'

type ProposalRef = Pick<ProposalInfo, 'governor' | 'targets' | 'values' | 'calldatas' | 'description'>

function proposalArgs(p: ProposalRef) {
  return [p.targets, p.values, p.calldatas, keccak256(toBytes(p.description))] as const
}

/** Queues a succeeded proposal in the model's timelock. */
export async function queueProposal(c: ChainWriter, p: ProposalRef): Promise<`0x${string}`> {
  const receipt = await confirmTransaction(c, 'Queueing the proposal', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: p.governor,
      abi: ModelGovernor.abi,
      functionName: 'queue',
      args: proposalArgs(p),
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}

/** The governor's ABI plus the errors of the contracts a proposal calls, so a failed call is named. */
const EXECUTE_ABI = [
  ...ModelGovernor.abi,
  ...[ModelTimelock, ModelRegistry, ModelShares, ReleaseGate].flatMap((c) =>
    c.abi.filter((x) => x.type === 'error'),
  ),
] as const

/** Executes a queued proposal once the timelock delay has passed. */
export async function executeProposal(c: ChainWriter, p: ProposalRef): Promise<`0x${string}`> {
  const receipt = await confirmTransaction(c, 'Executing the proposal', async () => {
    const { request } = await c.public.simulateContract({
      account: c.wallet.account,
      address: p.governor,
      abi: EXECUTE_ABI,
      functionName: 'execute',
      args: proposalArgs(p),
    })
    return c.wallet.writeContract(request)
  })
  return receipt.transactionHash
}
