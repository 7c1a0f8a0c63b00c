import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { DEFAULT_GOVERNANCE, GOVERNANCE_MINIMUMS } from '../chain/index.ts'
import { createTinyLlama, writeGguf } from '../gguf/index.ts'
import type { Governance } from '../governance/index.ts'

export const DEMO_MODEL_NAME = 'commons-demo'
/** The local commons' demo prices: wei per 1,000 prompt and completion tokens (a gwei a token, three for output). */
export const DEMO_PRICES = { promptPricePer1k: '1000000000000', completionPricePer1k: '3000000000000' }
/** The demo model's owners' shares, in the order of `createDemoModel`'s `owners`. */
export const DEMO_SHARES = ['40', '35', '25'] as const
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
 * Creates the demo model owned 40/35/25 by three accounts, and publishes a tiny generated GGUF as its
 * first version by a real vote of the first two (warping the devnet clock through delay, period and
 * timelock). The one place the demo is defined: a single node (three local accounts) and the local
 * commons (three members' node keys) both call it.
 */
export async function createDemoModel(c: {
  governance: Governance
  /** Who sends the creation (an account governance can sign for). */
  creator: string
  /** The three owners, given DEMO_SHARES: account names governance can sign for. */
  owners: readonly [string, string, string]
  /** Adds the generated weights to a store the network can fetch from. */
  addWeights(file: string): Promise<{ root: string; size: number }>
  /** Scratch dir for the generated GGUF before it enters the store. */
  tmpDir: string
  warp(seconds: number): Promise<unknown>
  /**
   * Resolves when the second and third owners may sign: when their keys belong to nodes that are still
   * starting (and registering with those keys), signing before would race them for nonces.
   */
  othersMaySign?: () => Promise<unknown>
  /** Wei per 1,000 prompt and completion tokens: the demo model is voted paid with its first version. */
  prices?: { promptPricePer1k: string; completionPricePer1k: string }
}): Promise<{ name: string; owners: string[]; contentRoot: string }> {
  const [first, second, third] = c.owners
  await c.governance.createModel({
    account: c.creator,
    name: DEMO_MODEL_NAME,
    symbol: 'DEMO',
    cardURI: '',
    owners: c.owners.map((owner, i) => ({ owner, shares: DEMO_SHARES[i]! })),
    settings: DEMO_SETTINGS,
  })

  await mkdir(c.tmpDir, { recursive: true })
  const file = join(c.tmpDir, 'commons-demo-v1.gguf')
  await writeGguf(
    file,
    createTinyLlama({ seed: 2026, nEmbd: 64, nLayer: 2, nHead: 4, nCtx: 512, type: 'F32' }),
  )
  const added = await c.addWeights(file)
  await rm(file, { force: true })

  const proposals = [
    await c.governance.propose({
      account: first,
      model: DEMO_MODEL_NAME,
      kind: 'publish-version',
      contentRoot: added.root,
      size: String(added.size),
      description: 'Demo: a tiny generated llama so the node has a model to serve.',
    }),
  ]
  // A paid demo: the owners vote its prices in the same round of votes as its first version.
  if (c.prices !== undefined) {
    proposals.push(
      await c.governance.propose({
        account: first,
        model: DEMO_MODEL_NAME,
        kind: 'set-policy',
        open: true,
        ...c.prices,
      } as never),
    )
  }
  await c.warp(DEMO_SETTINGS.votingDelay + 1)
  for (const p of proposals) await c.governance.vote({ account: first, proposal: p.ref, support: 'for' })
  await c.othersMaySign?.()
  for (const p of proposals) await c.governance.vote({ account: second, proposal: p.ref, support: 'for' })
  await c.warp(DEMO_SETTINGS.votingPeriod + 1)
  for (const p of proposals) await c.governance.queue({ account: third, proposal: p.ref })
  await c.warp(DEMO_SETTINGS.timelockDelay + 1)
  for (const p of proposals) await c.governance.execute({ account: third, proposal: p.ref })
  return {
    name: DEMO_MODEL_NAME,
    owners: c.owners.map((n, i) => `${n} ${DEMO_SHARES[i]}%`),
    contentRoot: added.root,
  }
}
