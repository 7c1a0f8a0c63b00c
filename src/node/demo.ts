import type { Governance } from '../chain/governance.ts'
import type { Keystore } from './keystore.ts'

export const DEMO_MODEL_NAME = 'commons-demo'
const DEMO_OWNERS = [
  ['alice', '40'],
  ['bob', '35'],
  ['carol', '25'],
] as const

/** Creates the demo model owned 40/35/25 by three local accounts, so a fresh node has something to show. */
export async function createDemoModel(c: {
  governance: Governance
  keystore: Keystore
  fund(address: `0x${string}`): Promise<void>
}): Promise<{ name: string; owners: string[] }> {
  for (const [name] of DEMO_OWNERS) {
    const account = await c.keystore.get(name, { create: true })
    await c.fund(account.address)
  }
  await c.governance.createModel({
    account: 'node',
    name: DEMO_MODEL_NAME,
    symbol: 'DEMO',
    cardURI: '',
    owners: DEMO_OWNERS.map(([owner, shares]) => ({ owner, shares })),
    settings: { votingDelay: 60, votingPeriod: 3_600, quorumPercent: 40, timelockDelay: 600 },
  })
  return { name: DEMO_MODEL_NAME, owners: DEMO_OWNERS.map(([n, s]) => `${n} ${s}%`) }
}
