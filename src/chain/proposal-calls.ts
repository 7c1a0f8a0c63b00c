import { decodeFunctionData, encodeFunctionData } from 'viem'
import type { ReleaseRequirement } from './actions/read-release-gate.ts'
import {
  CommonsMembership,
  ModelRegistry,
  ModelShares,
  ReleaseGate,
  UsageEscrow,
} from './generated/artifacts.ts'
import type { UsagePolicy } from './types.ts'

/** One call a proposal makes through the model's timelock. */
export interface ProposalCall {
  target: `0x${string}`
  value: bigint
  data: `0x${string}`
}

/** Where a model's contracts are, as proposal builders need them. */
export interface ModelContracts {
  registry: `0x${string}`
  shares: `0x${string}`
  timelock: `0x${string}`
}

/** Publish a proposed version. */
export function publishVersionCall(m: ModelContracts, modelId: bigint, versionId: bigint): ProposalCall {
  return {
    target: m.registry,
    value: 0n,
    data: encodeFunctionData({
      abi: ModelRegistry.abi,
      functionName: 'publishVersion',
      args: [modelId, versionId],
    }),
  }
}

/** Revoke a version. */
export function revokeVersionCall(m: ModelContracts, modelId: bigint, versionId: bigint): ProposalCall {
  return {
    target: m.registry,
    value: 0n,
    data: encodeFunctionData({
      abi: ModelRegistry.abi,
      functionName: 'revokeVersion',
      args: [modelId, versionId],
    }),
  }
}

/** Change the usage policy. */
export function setPolicyCall(m: ModelContracts, modelId: bigint, policy: UsagePolicy): ProposalCall {
  return {
    target: m.registry,
    value: 0n,
    data: encodeFunctionData({ abi: ModelRegistry.abi, functionName: 'setPolicy', args: [modelId, policy] }),
  }
}

/** Add an account to the model's allowlist, or take it off. */
export function setAllowedCall(
  m: ModelContracts,
  modelId: bigint,
  account: `0x${string}`,
  allowed: boolean,
): ProposalCall {
  return {
    target: m.registry,
    value: 0n,
    data: encodeFunctionData({
      abi: ModelRegistry.abi,
      functionName: 'setAllowed',
      args: [modelId, account, allowed],
    }),
  }
}

/** Change a model's revenue split (basis points summing to 10000): a constitutional proposal. */
export function setRevenueSplitCall(
  escrow: `0x${string}`,
  modelId: bigint,
  split: { node: number; owners: number; contributors: number; treasury: number },
): ProposalCall {
  return {
    target: escrow,
    value: 0n,
    data: encodeFunctionData({
      abi: UsageEscrow.abi,
      functionName: 'setRevenueSplit',
      args: [modelId, split],
    }),
  }
}

/** Set a model's release policy in the ReleaseGate: a constitutional proposal (it changes what a release needs). */
export function setReleasePolicyCall(
  gate: `0x${string}`,
  modelId: bigint,
  requirements: readonly ReleaseRequirement[],
): ProposalCall {
  return {
    target: gate,
    value: 0n,
    data: encodeFunctionData({
      abi: ReleaseGate.abi,
      functionName: 'setReleasePolicy',
      args: [modelId, requirements],
    }),
  }
}

/** Approve (or remove) an evaluator of a model in the ReleaseGate: a constitutional proposal. */
export function setEvaluatorCall(
  gate: `0x${string}`,
  modelId: bigint,
  evaluator: `0x${string}`,
  approved: boolean,
): ProposalCall {
  return {
    target: gate,
    value: 0n,
    data: encodeFunctionData({
      abi: ReleaseGate.abi,
      functionName: 'setEvaluator',
      args: [modelId, evaluator, approved],
    }),
  }
}

/** Mint new shares to an account. */
export function mintSharesCall(m: ModelContracts, to: `0x${string}`, amount: bigint): ProposalCall {
  return {
    target: m.shares,
    value: 0n,
    data: encodeFunctionData({ abi: ModelShares.abi, functionName: 'mint', args: [to, amount] }),
  }
}

/** Send ether from the model's treasury (its timelock) to an account. */
export function treasuryTransferCall(to: `0x${string}`, amountWei: bigint): ProposalCall {
  return { target: to, value: amountWei, data: '0x' }
}

/** Describes a proposal call for people: `publishVersion(1, 2)`, `transfer 1.5 ETH to 0x…`. */
export function describeCall(target: `0x${string}`, value: bigint, data: `0x${string}`): string {
  for (const abi of [ModelRegistry.abi, ModelShares.abi, ReleaseGate.abi, CommonsMembership.abi]) {
    try {
      const d = decodeFunctionData({ abi, data })
      const args = (d.args ?? []).map((a) =>
        typeof a === 'object' && a !== null
          ? JSON.stringify(a, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
          : String(a),
      )
      return `${d.functionName}(${args.join(', ')})`
    } catch {}
  }
  if (data === '0x') return `transfer ${value} wei to ${target}`
  return `call ${target} with ${data.slice(0, 10)}… and ${value} wei`
}
