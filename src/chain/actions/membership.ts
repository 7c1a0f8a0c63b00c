import { encodeFunctionData } from 'viem'
import type { ChainReader } from '../chain-client.ts'
import { translateChainError } from '../errors.ts'
import { CommonsMembership } from '../generated/artifacts.ts'
import type { ProposalCall } from '../proposal-calls.ts'
import type { ModelContractsRef } from './get-model-contracts.ts'

/** The commons's admission policies, in the contract's enum order. */
export const ADMISSION_POLICIES = ['open', 'approved'] as const
export type AdmissionPolicy = (typeof ADMISSION_POLICIES)[number]

/** The id the commons's own governance goes by where models are listed (proposal refs `0.<n>`). */
export const COMMONS_GOVERNANCE_ID = 0n

/** The commons's membership as a reader sees it: policy and members. */
export interface CommonsMembershipInfo {
  address: `0x${string}`
  policy: AdmissionPolicy
  members: `0x${string}`[]
  governor: `0x${string}`
  timelock: `0x${string}`
}

function contract(c: ChainReader) {
  const address = c.deployment.commonsMembership
  return address === undefined ? undefined : ({ address, abi: CommonsMembership.abi } as const)
}

/**
 * Whether the commons's admission policy admits an address: always under `open`, members only under
 * `approved`. A deployment without a membership contract (older files) admits every address.
 */
export async function isCommonsAdmitted(c: ChainReader, account: `0x${string}`): Promise<boolean> {
  const m = contract(c)
  if (m === undefined) return true
  try {
    return await c.public.readContract({ ...m, functionName: 'isAdmitted', args: [account] })
  } catch (err) {
    throw translateChainError(err, 'Checking commons membership')
  }
}

/** The policy, the members, and the commons's governor and timelock; undefined without a membership contract. */
export async function getCommonsMembership(c: ChainReader): Promise<CommonsMembershipInfo | undefined> {
  const m = contract(c)
  if (m === undefined) return undefined
  try {
    const [policy, members, governor, timelock] = await Promise.all([
      c.public.readContract({ ...m, functionName: 'policy' }),
      c.public.readContract({ ...m, functionName: 'members' }),
      c.public.readContract({ ...m, functionName: 'governor' }),
      c.public.readContract({ ...m, functionName: 'timelock' }),
    ])
    return {
      address: m.address,
      policy: ADMISSION_POLICIES[policy] ?? 'approved',
      members: [...members],
      governor,
      timelock,
    }
  } catch (err) {
    throw translateChainError(err, 'Reading the commons membership')
  }
}

/** The commons's governance in the shape of a model's (id 0, name `commons`; its "shares" are memberships). */
export async function getCommonsGovernance(c: ChainReader): Promise<ModelContractsRef | undefined> {
  const info = await getCommonsMembership(c)
  if (info === undefined) return undefined
  return {
    id: COMMONS_GOVERNANCE_ID,
    name: 'commons',
    shares: info.address,
    timelock: info.timelock,
    governor: info.governor,
  }
}

/** Admit an account (a node's address) as a member. */
export function admitMemberCall(membership: `0x${string}`, account: `0x${string}`): ProposalCall {
  return {
    target: membership,
    value: 0n,
    data: encodeFunctionData({ abi: CommonsMembership.abi, functionName: 'admit', args: [account] }),
  }
}

/** Revoke a member: its node is cut off by every other node's connection gater. */
export function revokeMemberCall(membership: `0x${string}`, account: `0x${string}`): ProposalCall {
  return {
    target: membership,
    value: 0n,
    data: encodeFunctionData({ abi: CommonsMembership.abi, functionName: 'revoke', args: [account] }),
  }
}

/** Change the admission policy. */
export function setAdmissionCall(membership: `0x${string}`, policy: AdmissionPolicy): ProposalCall {
  return {
    target: membership,
    value: 0n,
    data: encodeFunctionData({
      abi: CommonsMembership.abi,
      functionName: 'setPolicy',
      args: [ADMISSION_POLICIES.indexOf(policy)],
    }),
  }
}
