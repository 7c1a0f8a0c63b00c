import { getCommonsMembership } from '../chain/index.ts'
import type { GovernanceContext } from './context.ts'

/** The commons's admission policy and members, and whether the given account is admitted. */
export async function membership(c: GovernanceContext, account = 'node') {
  const info = await getCommonsMembership(c.reader)
  const address = await c.directory.address(account)
  if (info === undefined) {
    // Deployments from before membership was governed admit every registered node.
    return { policy: 'open' as const, members: [], governed: false, address, member: false, admitted: true }
  }
  const member = info.members.some((m) => m.toLowerCase() === address.toLowerCase())
  return {
    policy: info.policy,
    members: info.members,
    governed: true,
    membership: info.address,
    governor: info.governor,
    timelock: info.timelock,
    address,
    member,
    admitted: info.policy === 'open' || member,
  }
}
