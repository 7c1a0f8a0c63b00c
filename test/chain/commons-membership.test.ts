import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Abi, keccak256, toBytes } from 'viem'
import { getCommonsMembership, isCommonsAdmitted } from '../../src/chain/actions/membership.ts'
import { translateChainError } from '../../src/chain/errors.ts'
import { CommonsMembership, ModelGovernor, ModelTimelock } from '../../src/chain/generated/artifacts.ts'
import { startDevnet } from './devnet.ts'

test('commons membership: no admin survives, the founder is the one member, votes are not delegable, governance is created once', async () => {
  await using net = await startDevnet(2)
  const founder = net.deployer.wallet.account
  const [stranger] = net.accounts
  const info = await getCommonsMembership(net.reader)
  assert.ok(info)
  assert.equal(info.policy, 'open')
  assert.deepEqual(info.members, [founder.address])
  assert.equal(await isCommonsAdmitted(net.reader, stranger!.address), true, 'open admits every address')

  async function expectRevert(
    from: `0x${string}`,
    address: `0x${string}`,
    abi: Abi,
    fn: string,
    args: unknown[],
    errorName: string,
  ) {
    try {
      await net.reader.public.simulateContract({ account: from, address, abi, functionName: fn, args })
    } catch (err) {
      assert.equal(translateChainError(err, fn).details?.errorName, errorName, fn)
      return
    }
    assert.fail(`${fn} from ${from} did not revert`)
  }
  const m = info.address
  for (const who of [founder.address, stranger!.address]) {
    await expectRevert(who, m, CommonsMembership.abi, 'admit', [stranger!.address], 'MembershipUnauthorized')
    await expectRevert(who, m, CommonsMembership.abi, 'revoke', [founder.address], 'MembershipUnauthorized')
    await expectRevert(who, m, CommonsMembership.abi, 'setPolicy', [1], 'MembershipUnauthorized')
    await expectRevert(who, m, CommonsMembership.abi, 'createGovernance', [], 'MembershipGovernanceExists')
    await expectRevert(
      who,
      m,
      CommonsMembership.abi,
      'delegate',
      [stranger!.address],
      'MembershipVotesNotDelegable',
    )
    // The governor and timelock keep the model floors and obey only a passed proposal.
    await expectRevert(who, info.governor, ModelGovernor.abi, 'setVotingDelay', [1], 'GovernorOnlyExecutor')
    await expectRevert(
      who,
      info.timelock,
      ModelTimelock.abi,
      'updateDelay',
      [1n],
      'TimelockUnauthorizedCaller',
    )
  }
  const ADMIN = `0x${'0'.repeat(64)}` as const
  const PROPOSER = keccak256(toBytes('PROPOSER_ROLE'))
  const hasRole = (role: `0x${string}`, who: `0x${string}`) =>
    net.reader.public.readContract({
      address: info.timelock,
      abi: ModelTimelock.abi,
      functionName: 'hasRole',
      args: [role, who],
    })
  assert.equal(await hasRole(ADMIN, founder.address), false)
  assert.equal(await hasRole(PROPOSER, founder.address), false)
  assert.equal(await hasRole(PROPOSER, info.governor), true)
  const read = (fn: 'votingDelay' | 'votingPeriod') =>
    net.reader.public.readContract({ address: info.governor, abi: ModelGovernor.abi, functionName: fn })
  assert.ok((await read('votingDelay')) >= 300n)
  assert.ok((await read('votingPeriod')) >= 3600n)
})
