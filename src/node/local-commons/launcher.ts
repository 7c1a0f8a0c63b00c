import type { Logger } from '../../log.ts'
import { DEMO_MODEL_NAME, DEMO_SHARES } from '../demo.ts'
import { NodeAlreadyRunningError } from '../errors.ts'
import { isNodeAlive, readRuntimeInfo } from '../runtime-file.ts'
import { ensureDemoModel, openLaunchChain, placeDemoModel, untilServed } from './local-demo.ts'
import { type CliCommand, MemberProcess } from './member-process.ts'
import {
  LOCAL_SERVERS,
  type LocalMember,
  localCommonsPaths,
  planMembers,
  writeMemberConfigs,
} from './members.ts'
import { ensurePaidDemo, type PaidDemoSummary } from './paid-demo.ts'
import { processTree, residentBytes } from './process-tree.ts'

/** What `runLocalCommons` needs to know. */
export interface LocalCommonsInit {
  /** The main data dir; members live in `<dataDir>/members/<name>`. */
  dataDir: string
  /** The first member's API port; the others follow (8480, 8481, 8482). */
  basePort: number
  /** How to run `commons up` for a member. */
  cli: CliCommand
  onProgress?: (message: string) => void
}

/** A running local commons, as the launcher's caller sees it. */
export interface LocalCommons {
  members: Array<{
    name: string
    address: string
    apiUrl: string
    hostsChain: boolean
    serves: boolean
    share: string
    logFile: string
    pid(): number | undefined
  }>
  model: { name: string; contentRoot: string }
  /** The paid demo: prices, requests made and settled on first start, and each member's earnings. */
  paid: PaidDemoSummary
  chainSocket: string
  readyMs: number
  /** Every process of the commons: this one, the members, their anvil (Linux; just this one elsewhere). */
  pids(): Promise<number[]>
  /** Their resident memory in bytes (undefined where it cannot be read). */
  memoryBytes(): Promise<number | undefined>
  /** Stops every member (the chain host last) and waits until each process has exited. */
  stop(): Promise<void>
}

/**
 * Runs a local commons: three members as separate `commons up` processes, the first hosting the
 * embedded chain and sharing it on a stable socket, the demo model co-owned by their keys, replicated
 * to all three and served by two. Crashed members are restarted; a second run resumes the first.
 */
export async function runLocalCommons(init: LocalCommonsInit, c: { log: Logger }): Promise<LocalCommons> {
  const t0 = performance.now()
  const progress = init.onProgress ?? (() => {})
  const { chainSocket } = localCommonsPaths(init.dataDir)
  const plan = await planMembers(init.dataDir, init.basePort)
  await refuseIfRunning(init.dataDir, plan)
  await writeMemberConfigs(plan, chainSocket)
  const log = c.log.child({ component: 'local-commons' })
  // A restarted chain host: tell the others' API nothing; they redial the same socket and peers.
  const processes = plan.map(
    (m) => new MemberProcess(m, init.cli, log, (r) => progress(`${r.name} restarted`)),
  )
  const stop = async () => {
    // Members first, the chain host last, so nobody loses the chain while stopping.
    await Promise.all(processes.filter((p) => !p.member.hostsChain).map((p) => p.stop()))
    await Promise.all(processes.filter((p) => p.member.hostsChain).map((p) => p.stop()))
  }
  try {
    const [host, ...others] = processes
    progress(`starting ${host!.member.name} (it hosts the chain)`)
    await host!.start()
    const chain = await openLaunchChain(plan, chainSocket)
    // Members pay gas for their registration and votes: the devnet gives it before they start.
    for (const m of plan) await chain.fundIfEmpty(m.account.address)
    progress(`starting ${others.map((p) => p.member.name).join(' and ')}`)
    // The model is created (first start) on the chain host while the others start.
    // The others sign only once their nodes are up (each registers with its key while starting).
    const othersStarted = Promise.all(others.map((p) => p.start()))
    const [contentRoot] = await Promise.all([
      ensureDemoModel(plan, chain, () => othersStarted),
      othersStarted,
    ])
    progress(`placing the ${DEMO_MODEL_NAME} model: replicated to every member, served by ${LOCAL_SERVERS}`)
    await placeDemoModel(plan, contentRoot)
    await untilServed(plan)
    progress('the value loop: the demo model is paid; each member pays for a request, the servers settle')
    const paid = await ensurePaidDemo(plan, chain)
    return {
      paid,
      members: processes.map((p, i) => describe(p, i)),
      model: { name: DEMO_MODEL_NAME, contentRoot },
      chainSocket,
      readyMs: Math.round(performance.now() - t0),
      pids: () => processTree(process.pid),
      memoryBytes: async () => residentBytes(await processTree(process.pid)),
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Refuses to start a second local commons on a data dir whose members still run. */
async function refuseIfRunning(dataDir: string, plan: LocalMember[]): Promise<void> {
  for (const m of plan) {
    const running = await readRuntimeInfo(m.layout.runtime)
    if (running && (await isNodeAlive(running))) {
      throw new NodeAlreadyRunningError(
        `A local commons already runs on ${dataDir} (${m.name}: pid ${running.pid}, API ${running.apiUrl}). Stop it first (Ctrl-C in its terminal).`,
      )
    }
  }
}

function describe(p: MemberProcess, i: number): LocalCommons['members'][number] {
  const m: LocalMember = p.member
  return {
    name: m.name,
    address: m.account.address,
    apiUrl: m.apiUrl,
    hostsChain: m.hostsChain,
    serves: m.serves,
    share: `${DEMO_SHARES[i]}%`,
    logFile: `${m.layout.root}/node.log`,
    pid: () => p.pid,
  }
}
