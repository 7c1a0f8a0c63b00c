import { readFile } from 'node:fs/promises'
import { parseEther } from 'viem'
import { type ChainWriter, DEVNET_FUNDING_WEI, readDeployment } from '../../chain/index.ts'
import { createGovernance, type Governance } from '../../governance/index.ts'
import { createChainAccess } from '../chain-clients.ts'
import { createDemoModel, DEMO_MODEL_NAME, DEMO_PRICES } from '../demo.ts'
import { NodeStartFailedError } from '../errors.ts'
import type { LocalMember } from './members.ts'

/** The chain as the launcher sees it: governance signed by each member's own key, and devnet helpers. */
export interface LaunchChain {
  governance: Governance
  /** Gives a member gas on the shared devnet when it has less than 1 ETH (journaled by the host). */
  fundIfEmpty(address: `0x${string}`): Promise<void>
  warp(seconds: number): Promise<void>
  /** Signs as the member of that name (escrow deposits and the like). */
  writerFor(name: string): ChainWriter
}

/** Opens the shared chain through its socket, with governance that signs as the member of the account's name. */
export async function openLaunchChain(plan: LocalMember[], chainSocket: string): Promise<LaunchChain> {
  const host = plan.find((m) => m.hostsChain)!
  const access = createChainAccess({
    rpcUrl: chainSocket,
    deployment: await readDeployment(host.layout.deployment),
  })
  const byName = new Map(plan.map((m) => [m.name as string, m.account]))
  const accountOf = (name: string) => {
    const account = byName.get(name)
    if (!account) throw new Error(`no local member named ${name}`)
    return account
  }
  const request = (method: string, params: unknown[]) =>
    access.reader.public.request({ method, params } as never) as Promise<unknown>
  return {
    governance: createGovernance(
      {},
      {
        reader: access.reader,
        writerFor: async (name) => access.writer(accountOf(name)),
        addressOf: async (name) => accountOf(name).address,
      },
    ),
    fundIfEmpty: async (address) => {
      const balance = await access.reader.public.getBalance({ address })
      if (balance < parseEther('1'))
        await request('anvil_setBalance', [address, `0x${DEVNET_FUNDING_WEI.toString(16)}`])
    },
    warp: async (seconds) => {
      await request('evm_increaseTime', [seconds])
      await request('evm_mine', [])
    },
    writerFor: (name) => access.writer(accountOf(name)),
  }
}

/**
 * On first start: creates the demo model owned 40/35/25 by the members' keys and publishes its first
 * version by their vote (the weights go into the chain host's store). Needs only the chain host running.
 * Returns the content root of the latest version, whether it was created now or before.
 */
export async function ensureDemoModel(
  plan: LocalMember[],
  chain: LaunchChain,
  othersMaySign: () => Promise<unknown>,
): Promise<string> {
  const [first, second, third] = plan
  const host = plan.find((m) => m.hostsChain)!
  const existing = (await chain.governance.listModels()).find((m) => m.name === DEMO_MODEL_NAME)
  if (!existing) {
    const created = await createDemoModel({
      governance: chain.governance,
      creator: first!.name,
      owners: [first!.name, second!.name, third!.name],
      addWeights: async (file) => {
        const added = (await nodeApi(host, '/api/store/add', { path: file })) as {
          root: string
          size: number
        }
        return { root: added.root, size: added.size }
      },
      tmpDir: host.layout.tmp,
      warp: (seconds) => chain.warp(seconds),
      othersMaySign,
      prices: DEMO_PRICES,
    })
    return created.contentRoot
  }
  const root = (await chain.governance.listVersions(DEMO_MODEL_NAME)).at(-1)?.contentRoot.replace(/^0x/, '')
  if (!root) throw new NodeStartFailedError(`The ${DEMO_MODEL_NAME} model has no published version.`)
  return root
}

/**
 * Makes sure every member holds the demo model's weights (replication over the network) and the serving
 * members serve it. Idempotent: on a restart everything is in place and nothing changes.
 */
export async function placeDemoModel(plan: LocalMember[], root: string): Promise<void> {
  await Promise.all(
    plan.map(async (m) => {
      // Fetching from peers replicates the weights; the serving members then load them.
      await fetchFromPeers(m, root)
      if (m.serves) await nodeApi(m, '/api/serving', { model: DEMO_MODEL_NAME })
    }),
  )
}

/** How long the serving members may take to load the model and be seen serving by every member. */
const SERVED_TIMEOUT_MS = 90_000

/**
 * Waits until the demo model is ready everywhere: each serving member has it loaded, and every member
 * is connected to the serving members and has their announcement, so a `/v1` request to any of them
 * is answered from the first second.
 */
export async function untilServed(plan: LocalMember[]): Promise<void> {
  const servers = plan.filter((m) => m.serves).length
  const deadline = Date.now() + SERVED_TIMEOUT_MS
  for (const m of plan) {
    for (;;) {
      const { peers } = (await nodeApi(m, '/api/peers', undefined)) as {
        peers: { connected: boolean; serves: { model: string }[] }[]
      }
      const seen = peers.filter((p) => p.connected && p.serves.length > 0).length
      const loaded = !m.serves || /^commons_models_loaded [1-9]/m.test(await metrics(m))
      if (loaded && seen >= servers - (m.serves ? 1 : 0)) break
      if (Date.now() > deadline) {
        throw new NodeStartFailedError(
          `${m.name} does not see the ${DEMO_MODEL_NAME} model served; see its node.log.`,
        )
      }
      await new Promise((r) => setTimeout(r, 250))
    }
  }
}

async function metrics(m: LocalMember): Promise<string> {
  const res = await fetch(new URL('/metrics', m.apiUrl))
  return res.ok ? res.text() : ''
}

async function fetchFromPeers(m: LocalMember, root: string): Promise<void> {
  const held = (await nodeApi(m, '/api/store', undefined)) as {
    contents: { root: string; complete?: boolean }[]
  }
  if (held.contents.some((c) => c.root === root && c.complete !== false)) return
  // Peers may still be meeting: retry until one provides it.
  for (let attempt = 1; ; attempt++) {
    const text = (await nodeApi(m, '/api/store/fetch', { root }, 'text')) as string
    if (text.includes('"type":"done"')) return
    if (attempt >= 40)
      throw new NodeStartFailedError(`${m.name} could not fetch the demo model: ${text.slice(-300)}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** Calls a member's `/api` with its API token (read from its data dir). */
export async function nodeApi(
  m: LocalMember,
  path: string,
  body: unknown,
  as: 'json' | 'text' = 'json',
): Promise<unknown> {
  const token = (await readFile(m.layout.apiToken, 'utf8')).trim()
  const res = await fetch(new URL(path, m.apiUrl), {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new NodeStartFailedError(`${m.name} ${path} answered ${res.status}: ${await res.text()}`)
  return as === 'json' ? res.json() : res.text()
}
