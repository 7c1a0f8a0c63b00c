import assert from 'node:assert/strict'
import { test } from 'node:test'
import { type Abi, parseEther } from 'viem'
import { createModel } from '../../src/chain/actions/create-model.ts'
import { getModel } from '../../src/chain/actions/get-model.ts'
import { translateChainError } from '../../src/chain/errors.ts'
import {
  ModelGovernor,
  ModelRegistry,
  ModelShares,
  ModelTimelock,
} from '../../src/chain/generated/artifacts.ts'
import { GOVERNANCE_SETTINGS, startDevnet } from './devnet.ts'

const settings = GOVERNANCE_SETTINGS

test('no admin survives: deployer and owners calling privileged functions revert with named custom errors', async () => {
  await using net = await startDevnet(3)
  const deployer = net.deployer.wallet.account
  const created = await createModel(net.deployer, {
    name: 'm',
    symbol: 'M',
    cardURI: '',
    owners: net.accounts.map((a, i) => ({ address: a.address, shares: parseEther(String(40 - i * 5)) })),
    settings,
  })
  const model = await getModel(net.reader, created.modelId)

  async function expectRevert(
    from: typeof deployer,
    address: `0x${string}`,
    abi: Abi,
    functionName: string,
    args: unknown[],
    errorName: string,
  ) {
    try {
      await net.reader.public.simulateContract({ account: from, address, abi, functionName, args })
    } catch (err) {
      const e = translateChainError(err, functionName)
      assert.equal(e.details?.errorName, errorName, `${functionName} from ${from.address}: ${e.message}`)
      return
    }
    assert.fail(`${functionName} from ${from.address} did not revert`)
  }

  const callers = [deployer, ...net.accounts]
  const registry = net.deployment.modelRegistry
  for (const who of callers) {
    await expectRevert(
      who,
      registry,
      ModelRegistry.abi,
      'publishVersion',
      [model.id, 1n],
      'RegistryUnauthorized',
    )
    await expectRevert(
      who,
      registry,
      ModelRegistry.abi,
      'revokeVersion',
      [model.id, 1n],
      'RegistryUnauthorized',
    )
    await expectRevert(
      who,
      registry,
      ModelRegistry.abi,
      'setPolicy',
      [
        model.id,
        {
          open: false,
          promptPricePer1k: 1n,
          completionPricePer1k: 1n,
          requestsPerMinute: 0,
          termsURI: '',
          termsHash: `0x${'0'.repeat(64)}`,
        },
      ],
      'RegistryUnauthorized',
    )
    await expectRevert(
      who,
      registry,
      ModelRegistry.abi,
      'setAllowed',
      [model.id, who.address, true],
      'RegistryUnauthorized',
    )
    await expectRevert(
      who,
      model.shares,
      ModelShares.abi,
      'mint',
      [who.address, 1n],
      'SharesUnauthorizedMinter',
    )
    await expectRevert(
      who,
      model.timelock,
      ModelTimelock.abi,
      'schedule',
      [who.address, 1n, '0x', `0x${'00'.repeat(32)}`, `0x${'00'.repeat(32)}`, 10n],
      'AccessControlUnauthorizedAccount',
    )
    await expectRevert(
      who,
      model.timelock,
      ModelTimelock.abi,
      'updateDelay',
      [0n],
      'TimelockUnauthorizedCaller',
    )
    await expectRevert(who, model.governor, ModelGovernor.abi, 'setVotingPeriod', [1], 'GovernorOnlyExecutor')
    await expectRevert(
      who,
      model.governor,
      ModelGovernor.abi,
      'updateQuorumNumerator',
      [1n],
      'GovernorOnlyExecutor',
    )
    await expectRevert(
      who,
      model.shares,
      ModelShares.abi,
      'initialize',
      ['x', 'X', who.address, [who.address], [1n]],
      'InvalidInitialization',
    )
  }
  // Implementations behind the clones are locked too.
  await expectRevert(
    deployer,
    net.deployment.implementations.shares,
    ModelShares.abi,
    'initialize',
    ['x', 'X', deployer.address, [deployer.address], [1n]],
    'InvalidInitialization',
  )

  const timelock = { address: model.timelock, abi: ModelTimelock.abi } as const
  const roles = await Promise.all(
    (['DEFAULT_ADMIN_ROLE', 'PROPOSER_ROLE', 'CANCELLER_ROLE'] as const).map((r) =>
      net.reader.public.readContract({ ...timelock, functionName: r }),
    ),
  )
  for (const who of callers) {
    for (const role of roles) {
      assert.equal(
        await net.reader.public.readContract({
          ...timelock,
          functionName: 'hasRole',
          args: [role, who.address],
        }),
        false,
      )
    }
  }
  // The governor is the only proposer; the timelock administers itself.
  assert.equal(
    await net.reader.public.readContract({
      ...timelock,
      functionName: 'hasRole',
      args: [roles[1]!, model.governor],
    }),
    true,
  )
  assert.equal(
    await net.reader.public.readContract({
      ...timelock,
      functionName: 'hasRole',
      args: [roles[0]!, model.timelock],
    }),
    true,
  )
})
