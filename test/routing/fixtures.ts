import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { InferenceEngine, InferenceRouterInit } from '../../src/inference/index.ts'
import { silentLogger } from '../../src/log.ts'
import type { CommonsHost } from '../../src/net/commons-host.ts'
import { createCommonsHost } from '../../src/net/index.ts'
import { PeerDirectory } from '../../src/net/peer-directory.ts'
import { startApiNode, type TestApiNode, type TestLimits, TINY_ROOT } from '../openai/fixtures.ts'

/** A test node: libp2p host + peer directory + /v1 API (+ engine when given). */
export interface PeerNode extends AsyncDisposable {
  host: CommonsHost
  directory: PeerDirectory
  api: TestApiNode
  close(): Promise<void>
}

/** Starts a node on 127.0.0.1 (open admission) with the inference service on its host. */
export async function startPeerNode(
  opts: {
    engine?: InferenceEngine
    router?: InferenceRouterInit
    limits?: TestLimits
    apiKeys?: Parameters<typeof startApiNode>[0]['apiKeys']
    admitPeerRequest?: Parameters<typeof startApiNode>[0]['admitPeerRequest']
  } = {},
): Promise<PeerNode> {
  const host = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
  await host.start()
  const directory = new PeerDirectory()
  const api = await startApiNode({
    engine: opts.engine,
    host,
    directory,
    router: opts.router,
    limits: opts.limits,
    apiKeys: opts.apiKeys,
    admitPeerRequest: opts.admitPeerRequest,
  })
  const close = async (): Promise<void> => {
    await api.close()
    await host.stop()
  }
  return { host, directory, api, close, [Symbol.asyncDispose]: close }
}

let seqno = Date.now()

/** Records in `directory` that `peerId` serves the tiny model (id 1, both versions) with this load, as its signed gossip would. */
export function announceServing(
  directory: PeerDirectory,
  peerId: string,
  addrs: string[],
  load: number,
): void {
  directory.upsert({
    v: 1,
    peerId,
    addrs,
    roots: [TINY_ROOT.slice(2)],
    serves: [
      { model: '1', version: '1' },
      { model: '1', version: '2' },
    ],
    load,
    priceWeiPer1kTokens: '0',
    seqno: ++seqno,
    timestamp: Date.now(),
  })
}

/** A serving node in a child process (see fixtures/serving-node.ts). */
export interface ServingProcess {
  child: ChildProcess
  peerId: string
  addrs: string[]
  kill(): void
}

/** Spawns a serving node process and waits for its address line. */
export async function spawnServingNode(args: {
  modelPath: string
  delayMs?: number
  stallAfter?: number
}): Promise<ServingProcess> {
  const script = join(import.meta.dirname, 'fixtures', 'serving-node.ts')
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', script, JSON.stringify({ ...args, contentRoot: TINY_ROOT })],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, COMMONS_LOG_LEVEL: 'silent' },
    },
  )
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => reject(new Error('serving node did not start within 60 s')), 60_000)
    rl.once('line', (l) => {
      clearTimeout(timer)
      resolve(l)
    })
    child.once('exit', (code) => reject(new Error(`serving node exited with ${code}`)))
  })
  const { peerId, addrs } = JSON.parse(line) as { peerId: string; addrs: string[] }
  return { child, peerId, addrs, kill: () => child.kill('SIGKILL') }
}
