import type { CommonsNode } from '../../src/node/index.ts'

/**
 * The demo model's owners vote it paid on a demo node (alice and bob for, carol runs the timelock), warping
 * the devnet clock through delay, period and timelock.
 */
export async function voteDemoPaid(
  node: Pick<CommonsNode, 'governance' | 'devnet'>,
  prices: { promptPricePer1k: bigint; completionPricePer1k: bigint },
): Promise<void> {
  const devnet = node.devnet!
  const p = await node.governance.propose({
    account: 'alice',
    model: 'commons-demo',
    kind: 'set-policy',
    open: true,
    promptPricePer1k: prices.promptPricePer1k.toString(),
    completionPricePer1k: prices.completionPricePer1k.toString(),
  } as never)
  await devnet.warp(301)
  for (const account of ['alice', 'bob'])
    await node.governance.vote({ account, proposal: p.ref, support: 'for' })
  await devnet.warp(3_601)
  await node.governance.queue({ account: 'carol', proposal: p.ref })
  await devnet.warp(601)
  await node.governance.execute({ account: 'carol', proposal: p.ref })
}

/**
 * Passes proposals of the demo model in one round of votes: alice and bob (75 %) vote for each, carol queues and
 * executes them in the order given, the devnet clock warped through delay, period and timelock.
 */
export async function passDemoProposals(
  node: Pick<CommonsNode, 'governance' | 'devnet'>,
  refs: string[],
): Promise<void> {
  const devnet = node.devnet!
  await devnet.warp(301)
  for (const ref of refs)
    for (const account of ['alice', 'bob'])
      await node.governance.vote({ account, proposal: ref, support: 'for' })
  await devnet.warp(3_601)
  for (const ref of refs) await node.governance.queue({ account: 'carol', proposal: ref })
  await devnet.warp(601)
  for (const ref of refs) await node.governance.execute({ account: 'carol', proposal: ref })
}
