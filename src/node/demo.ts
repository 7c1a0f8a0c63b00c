import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_GOVERNANCE, GOVERNANCE_MINIMUMS } from '../chain/index.ts'
import { createTinyLlama, writeGguf } from '../gguf/index.ts'
import type { Governance } from '../governance/index.ts'
import { updateServingList } from '../inference/index.ts'
import type { ContentStore } from '../store/index.ts'
import type { Keystore } from './keystore.ts'

export const DEMO_MODEL_NAME = 'commons-demo'
const DEMO_OWNERS = [
  ['alice', '40'],
  ['bob', '35'],
  ['carol', '25'],
] as const
// The shortest delays every model keeps (the demo's clock is warped anyway), and the quorum of `model
// create`: a majority of all shares, so none of the three (each under half) passes anything alone.
// Constitutional proposals (minting, settings, treasury) need more than half of all shares voting For.
const DEMO_SETTINGS = {
  votingDelay: GOVERNANCE_MINIMUMS.votingDelay,
  votingPeriod: GOVERNANCE_MINIMUMS.votingPeriod,
  quorumPercent: Number(DEFAULT_GOVERNANCE.quorumPercent),
  timelockDelay: GOVERNANCE_MINIMUMS.timelockDelay,
}

/**
 * Creates the demo model owned 40/35/25 by three local accounts, publishes a tiny generated GGUF as its
 * first version by a real vote (warping the devnet clock through delay, period and timelock), and serves
 * it, so a fresh node has something to look at and to query on /v1.
 */
export async function createDemoModel(c: {
  governance: Governance
  keystore: Keystore
  store: ContentStore
  /** Scratch dir for the generated GGUF before it enters the store. */
  tmpDir: string
  /** The serving list the demo model is added to. */
  servingList: string
  fund(address: `0x${string}`): Promise<void>
  warp(seconds: number): Promise<unknown>
}): Promise<{ name: string; owners: string[]; contentRoot: string }> {
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
    settings: DEMO_SETTINGS,
  })

  await mkdir(c.tmpDir, { recursive: true })
  const file = join(c.tmpDir, 'commons-demo-v1.gguf')
  await writeGguf(
    file,
    createTinyLlama({ seed: 2026, nEmbd: 64, nLayer: 2, nHead: 4, nCtx: 512, type: 'F32' }),
  )
  const added = await c.store.add(file, { name: 'commons-demo-v1.gguf' })
  await rm(file, { force: true })

  const p = await c.governance.propose({
    account: 'alice',
    model: DEMO_MODEL_NAME,
    kind: 'publish-version',
    contentRoot: added.root,
    size: String(added.manifest.size),
    description: 'Demo: a tiny generated llama so the node has a model to serve.',
  })
  await c.warp(DEMO_SETTINGS.votingDelay + 1)
  await c.governance.vote({ account: 'alice', proposal: p.ref, support: 'for' })
  await c.governance.vote({ account: 'bob', proposal: p.ref, support: 'for' })
  await c.warp(DEMO_SETTINGS.votingPeriod + 1)
  await c.governance.queue({ account: 'carol', proposal: p.ref })
  await c.warp(DEMO_SETTINGS.timelockDelay + 1)
  await c.governance.execute({ account: 'carol', proposal: p.ref })
  await updateServingList(c.servingList, DEMO_MODEL_NAME)
  return { name: DEMO_MODEL_NAME, owners: DEMO_OWNERS.map(([n, s]) => `${n} ${s}%`), contentRoot: added.root }
}
