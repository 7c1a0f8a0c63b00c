import { parseEther } from 'viem'
import { depositToEscrow } from '../../chain/index.ts'
import { DEMO_MODEL_NAME, DEMO_PRICES } from '../demo.ts'
import type { LaunchChain } from './local-demo.ts'
import { nodeApi } from './local-demo.ts'
import type { LocalMember } from './members.ts'

const DEPOSIT = parseEther('1')

/** What the paid demo did, for the summary. */
export interface PaidDemoSummary {
  prices: typeof DEMO_PRICES
  requests: number
  settledWei: string
  /** Per member: what it can claim as an owner of the demo model and as a serving node. */
  earnings: { name: string; ownerWei: string; nodeWei: string; depositWei: string }[]
}

/**
 * On first start, shows the value loop (the owners voted the demo model paid with its first version): each
 * member deposits 1 ETH into the usage escrow (its keyless loopback `/v1` acts for it), one paid request goes through each
 * member, the serving members settle, and every member's earnings are read back. On a restart (deposits
 * made) only the earnings are read.
 */
export async function ensurePaidDemo(plan: LocalMember[], chain: LaunchChain): Promise<PaidDemoSummary> {
  const [first] = plan
  let requests = 0
  let settled = 0n
  // The prices were voted with the first version (createDemoModel); the deposits and requests run once.
  const deposited = (await nodeApi(first!, '/api/earnings?account=node', undefined)) as {
    accounts: { depositWei: string }[]
  }
  if (deposited.accounts[0]?.depositWei === '0') {
    for (const m of plan) await depositToEscrow(chain.writerFor(m.name), DEPOSIT)
    await new Promise((r) => setTimeout(r, 2_100)) // the nodes' policy cache time
    for (const m of plan) {
      const res = await fetch(new URL('/v1/chat/completions', m.apiUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: DEMO_MODEL_NAME,
          messages: [{ role: 'user', content: `Hello from ${m.name}` }],
          max_tokens: 16,
        }),
      })
      if (res.ok) requests++
      await res.body?.cancel()
    }
    settled = await settleServers(plan)
  }
  const earnings = await Promise.all(
    plan.map(async (m) => {
      const e = (await nodeApi(m, '/api/earnings?account=node', undefined)) as {
        accounts: {
          depositWei: string
          node: { claimableWei: string }
          owner: { model?: string; claimableWei: string }[]
        }[]
      }
      const a = e.accounts[0]
      return {
        name: m.name,
        ownerWei: a?.owner.find((o) => o.model === DEMO_MODEL_NAME)?.claimableWei ?? '0',
        nodeWei: a?.node.claimableWei ?? '0',
        depositWei: a?.depositWei ?? '0',
      }
    }),
  )
  return { prices: DEMO_PRICES, requests, settledWei: settled.toString(), earnings }
}

/** Waits until the serving members hold no unpaid receipt (vouchers delivered), then settles on each. */
async function settleServers(plan: LocalMember[]): Promise<bigint> {
  let total = 0n
  for (const m of plan.filter((x) => x.serves)) {
    for (let i = 0; i < 40; i++) {
      const u = (await nodeApi(m, '/api/usage', undefined)) as { unpaidReceipts: number }
      if (u.unpaidReceipts === 0) break
      await new Promise((r) => setTimeout(r, 250))
    }
    const r = (await nodeApi(m, '/api/usage/settle', {})) as { paidWei: string }
    total += BigInt(r.paidWei)
  }
  return total
}
