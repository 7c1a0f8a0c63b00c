/**
 * Benchmark: one tiny model, same settings, four ways — node-llama-cpp called directly, LlamaCppEngine
 * in-process (reference), our /v1 API over HTTP + SSE on a local engine, and our /v1 API proxying to a
 * peer process over libp2p. The HTTP client runs in a worker thread. Prints TTFT and decode tokens/s, the ratios to direct, and the added latency of a
 * failover (kill -9 of the serving peer mid-stream, resumed on another).
 * Run: npx tsx bench/inference.ts [--runs 7] [--tokens 128] [--failovers 3]
 */
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import type { Token } from 'node-llama-cpp'
import { openAiRoutes } from '../src/api/openai/index.ts'
import {
  createInferenceEngine,
  createInferenceService,
  type FailoverEvent,
  type InferenceEngine,
  type InferenceService,
  LoadedModels,
  StaticModelResolver,
  sharedLlamaRuntime,
} from '../src/inference/index.ts'
import { silentLogger } from '../src/log.ts'
import type { CommonsHost } from '../src/net/commons-host.ts'
import { createCommonsHost } from '../src/net/index.ts'
import { PeerDirectory } from '../src/net/peer-directory.ts'
import { type BenchModel, benchModelPath } from './bench-models.ts'
import { QUICK } from './goals.ts'
import { report } from './inference-report.ts'
import { cpuMicros, spawnPeer, stopChild } from './serving-peer.ts'
import { SseClient } from './sse-client.ts'

const ROOT = `0x${'be'.repeat(32)}`
const RESOLVER = new StaticModelResolver([
  { modelName: 'bench', modelId: '1', versionId: '1', contentRoot: ROOT, created: 0 },
])

/** Context size of every path's engine (the serving peer's too). */
const CONTEXT_SIZE = 512

/** Settings of the run. */
export interface BenchInferenceOptions {
  runs?: number
  tokens?: number
  promptTokens?: number
  failovers?: number
  /** The serving peer's least time between chunk frames (ms; its default when unset, 0: a frame per token). */
  coalesceMs?: number
  /** The generated model: tiny (per-token overhead shows) or realistic (tens of ms per token). */
  model?: BenchModel
}

/** The settings of a run (the peer's coalescing stays its default when unset). */
type BenchSettings = Required<Omit<BenchInferenceOptions, 'coalesceMs'>> &
  Pick<BenchInferenceOptions, 'coalesceMs'>

/** Median TTFT and decode rate of one path, and the CPU it used per generated token. */
export interface PathFigures {
  ttftMs: number
  tokensPerSecond: number
  /**
   * CPU time (user + system, all threads: decode, event loop, HTTP client worker and, for the proxied
   * path, the serving peer's process) per generated token (µs): unlike tokens/s, it barely moves with
   * other load on the machine.
   */
  cpuUsPerToken: number
  /** Of that, the serving peer's process (proxied path only; 0 elsewhere). */
  peerCpuUsPerToken: number
  /** SSE text events the HTTP client received per generated token (HTTP paths; 0 elsewhere). */
  eventsPerToken: number
}

/** Results of `benchInference`. */
export interface BenchInferenceResult {
  settings: BenchSettings
  direct: PathFigures
  engine: PathFigures
  api: PathFigures
  proxy: PathFigures
  failovers: FailoverEvent[]
  /** Median inter-token interval of the proxied stream (ms), to compare the failover gap with. */
  tokenIntervalMs: number
}

interface Node {
  host: CommonsHost
  directory: PeerDirectory
  service: InferenceService
  url: string
  close(): Promise<void>
}

async function startNode(
  engine: InferenceEngine | undefined,
  onFailover?: (e: FailoverEvent) => void,
): Promise<Node> {
  const host = createCommonsHost({ privateKey: randomBytes(32), admission: 'open' }, { log: silentLogger })
  await host.start()
  const directory = new PeerDirectory()
  const localModels = new LoadedModels()
  if (engine !== undefined) localModels.set(ROOT, engine)
  const service = createInferenceService(
    { router: { onFailover, stallTimeoutMs: 5_000 } },
    { host, directory, resolver: RESOLVER, localModels, log: silentLogger },
  )
  await service.start()
  const app = new Hono().route(
    '/v1',
    openAiRoutes({}, { inference: service, apiKeys: 'open', log: silentLogger }),
  )
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  return {
    host,
    directory,
    service,
    url,
    async close() {
      await service.stop()
      ;(server as unknown as { closeAllConnections(): void }).closeAllConnections()
      await new Promise((r) => server.close(r))
      await host.stop()
    },
  }
}

let seqno = Date.now()
function announce(directory: PeerDirectory, peerId: string, load: number): void {
  directory.upsert({
    v: 1,
    peerId,
    addrs: [],
    roots: [ROOT.slice(2)],
    serves: [{ model: '1', version: '1' }],
    load,
    priceWeiPer1kTokens: '0',
    seqno: ++seqno,
    timestamp: Date.now(),
  })
}

/**
 * Streams one completion through the worker-thread client; returns [ttft ms, decode tokens/s, arrival
 * times]; `onKillPoint` fires after about `killAt` tokens (characters).
 */
async function streamOnce(
  client: SseClient,
  url: string,
  prompt: string,
  tokens: number,
  seed: number,
  killAt = -1,
  onKillPoint?: () => void,
): Promise<[number, number, number[]]> {
  const body = JSON.stringify({
    model: 'bench',
    prompt,
    max_tokens: tokens,
    temperature: 0.8,
    seed,
    stream: true,
    stream_options: { include_usage: true },
  })
  const [r] = await client.run(`${url}/completions`, [body], killAt, onKillPoint)
  if (r!.status !== 200) throw new Error(`HTTP ${r!.status}: ${r!.error}`)
  const first = r!.arrivals[0]!
  return [first - r!.started, ((r!.tokens - 1) * 1000) / (r!.end - first), r!.arrivals]
}

/** Runs the four paths interleaved (so outside load hits them alike), then the failovers. */
export async function benchInference(options: BenchInferenceOptions = {}): Promise<BenchInferenceResult> {
  const settings: Required<Omit<BenchInferenceOptions, 'coalesceMs'>> &
    Pick<BenchInferenceOptions, 'coalesceMs'> = {
    runs: 7,
    tokens: 128,
    promptTokens: 64,
    failovers: 3,
    model: 'tiny',
    ...options,
  }
  const dir = await mkdtemp(join(tmpdir(), 'commons-bench-'))
  const children: ChildProcess[] = []
  try {
    const path = await benchModelPath(settings.model, dir)
    const llama = await sharedLlamaRuntime()
    const contextSize = CONTEXT_SIZE
    // A different prompt per run and per path, so no path reuses another's evaluated prompt (the local
    // engine keeps a sequence's prefix): each evaluates its whole prompt.
    const promptText = (run: number, path = ''): string =>
      `${path}run ${run}: ${'the quick brown fox '.repeat(8)}`.slice(0, settings.promptTokens)
    const model = await llama.loadModel({ modelPath: path })
    const context = await model.createContext({ contextSize, sequences: 1, threads: 1 })
    const sequence = context.getSequence()
    const engine = await createInferenceEngine(
      { path, contentRoot: ROOT },
      { threads: 1, sequences: 1, contextSize },
      { llama },
    )
    const failovers: FailoverEvent[] = []
    const client = new SseClient()
    const local = await startNode(engine)
    const front = await startNode(undefined, (e) => failovers.push(e))
    const peer = await spawnPeer(path, ROOT, CONTEXT_SIZE, settings.coalesceMs)
    children.push(peer.child)
    await front.host.connect(peer.addrs[0]!)
    announce(front.directory, peer.peerId, 0.5)

    const samples = {
      direct: [] as Sample[],
      engine: [] as Sample[],
      api: [] as Sample[],
      proxy: [] as Sample[],
    }
    const cpu = { direct: [] as number[], engine: [] as number[], api: [] as number[], proxy: [] as number[] }
    const peerCpu: number[] = []
    const peerPid = peer.child.pid!
    let mark = cpuMicros(peerPid)
    /** CPU µs per token since the last call, for `path`. */
    const charge = (keep: boolean, path: keyof typeof cpu, tokens: number): void => {
      const now = cpuMicros(peerPid)
      const peerUsed = path === 'proxy' ? now.peer - mark.peer : 0
      if (keep) cpu[path].push((now.self - mark.self + peerUsed) / tokens)
      if (keep && path === 'proxy') peerCpu.push(peerUsed / tokens)
      mark = now
    }
    const intervals: number[] = []
    try {
      for (let run = 0; run <= settings.runs; run++) {
        const keep = run > 0 // run 0 warms up every path
        await sequence.clearHistory()
        mark = cpuMicros(peerPid)
        let started = performance.now()
        let first = 0
        let n = 0
        const prompt = [model.tokens.bos!, ...model.tokenize(promptText(run))]
        for await (const _ of sequence.evaluate(prompt as Token[], {
          temperature: 0.8,
          seed: run,
          topK: 0,
          topP: 1,
          yieldEogToken: true,
        })) {
          if (n === 0) first = performance.now()
          if (++n === settings.tokens) break
        }
        if (keep) samples.direct.push([first - started, ((n - 1) * 1000) / (performance.now() - first)])
        charge(keep, 'direct', n)

        started = performance.now()
        n = 0
        for await (const _ of engine.generate({
          prompt: promptText(run, 'engine '),
          maxTokens: settings.tokens,
          temperature: 0.8,
          seed: run,
        })) {
          if (n === 0) first = performance.now()
          n++
        }
        if (keep) samples.engine.push([first - started, ((n - 1) * 1000) / (performance.now() - first)])
        charge(keep, 'engine', n)

        const [apiTtft, apiRate, apiArrivals] = await streamOnce(
          client,
          local.url,
          promptText(run, 'api '),
          settings.tokens,
          run,
        )
        if (keep) samples.api.push([apiTtft, apiRate, apiArrivals.length / settings.tokens])
        charge(keep, 'api', settings.tokens)
        const [proxyTtft, proxyRate, arrivals] = await streamOnce(
          client,
          front.url,
          promptText(run, 'proxy '),
          settings.tokens,
          run,
        )
        charge(keep, 'proxy', settings.tokens)
        if (keep) {
          samples.proxy.push([proxyTtft, proxyRate, arrivals.length / settings.tokens])
          for (let i = 1; i < arrivals.length; i++) intervals.push(arrivals[i]! - arrivals[i - 1]!)
        }
      }

      // Failovers: a fresh peer process serves first (lowest load) and is killed with SIGKILL after about 20 tokens reached the client;
      // the generation resumes on the other peer.
      for (let i = 0; i < settings.failovers; i++) {
        const victim = await spawnPeer(path, ROOT, CONTEXT_SIZE)
        children.push(victim.child)
        await front.host.connect(victim.addrs[0]!)
        announce(front.directory, victim.peerId, 0)
        await streamOnce(client, front.url, promptText(100 + i), settings.tokens, i, 20, () =>
          victim.child.kill('SIGKILL'),
        )
        front.directory.remove(victim.peerId)
      }
    } finally {
      await client.close()
      await front.close()
      await local.close()
      await engine.dispose()
      await context.dispose()
      await model.dispose()
    }
    return {
      settings,
      direct: summarize(samples.direct, cpu.direct),
      engine: summarize(samples.engine, cpu.engine),
      api: summarize(samples.api, cpu.api),
      proxy: { ...summarize(samples.proxy, cpu.proxy), peerCpuUsPerToken: median(peerCpu) },
      failovers,
      tokenIntervalMs: median(intervals),
    }
  } finally {
    await Promise.all(children.map(stopChild))
    await rm(dir, { recursive: true, force: true })
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

/** One run of one path: TTFT (ms), decode tokens/s and, for HTTP paths, SSE text events per token. */
type Sample = [number, number, number?]

function summarize(samples: Sample[], cpuPerToken: number[]): PathFigures {
  return {
    ttftMs: median(samples.map((s) => s[0])),
    tokensPerSecond: median(samples.map((s) => s[1])),
    cpuUsPerToken: median(cpuPerToken),
    peerCpuUsPerToken: 0,
    eventsPerToken: median(samples.map((s) => s[2] ?? 0)),
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      tokens: { type: 'string' },
      failovers: { type: 'string' },
      'coalesce-ms': { type: 'string' },
      // tiny | realistic | both (default): the realistic model's figures are what users see
      model: { type: 'string' },
    },
  })
  const models: BenchModel[] =
    values.model === 'tiny' || values.model === 'realistic' ? [values.model] : ['tiny', 'realistic']
  for (const model of models) {
    const tiny = model === 'tiny'
    const r = await benchInference({
      model,
      ...(tiny ? {} : { runs: 5, tokens: 64, failovers: 0 }),
      ...(QUICK && (tiny ? { runs: 2, tokens: 48, failovers: 1 } : { runs: 1, tokens: 16 })),
      ...(values.runs && { runs: Number(values.runs) }),
      ...(values.tokens && { tokens: Number(values.tokens) }),
      ...(values.failovers && { failovers: Number(values.failovers) }),
      ...(values['coalesce-ms'] && { coalesceMs: Number(values['coalesce-ms']) }),
    })
    report(r)
  }
  process.exit(0)
}
