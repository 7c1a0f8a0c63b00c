/**
 * Benchmark: one tiny model, same settings, four ways — node-llama-cpp called directly, LlamaCppEngine
 * in-process (reference), our /v1 API over HTTP + SSE on a local engine, and our /v1 API proxying to a
 * peer process over libp2p. The HTTP client runs in a worker thread. Prints TTFT and decode tokens/s, the ratios to direct, and the added latency of a
 * failover (kill -9 of the serving peer mid-stream, resumed on another).
 * Run: npx tsx bench/inference.ts [--runs 7] [--tokens 128] [--failovers 3]
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { Worker } from 'node:worker_threads'
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
import { type BenchModel, benchModelPath, describeModel } from './bench-models.ts'
import { QUICK, reportGoals, times } from './goals.ts'

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
 * The HTTP client runs in a worker thread, as a real client would run elsewhere: its parsing must not
 * compete with the node's event loop. It streams one completion and reports when the text chunks arrived.
 */
const CLIENT_SOURCE = `
const { parentPort } = require('node:worker_threads')
parentPort.on('message', async ({ url, body, killAt }) => {
  try {
    const started = performance.now()
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
    if (!res.ok) throw new Error('HTTP ' + res.status + ': ' + (await res.text()))
    const decoder = new TextDecoder()
    let buffered = ''
    let completion = 0
    let received = 0
    const arrivals = []
    for await (const bytes of res.body) {
      buffered += decoder.decode(bytes, { stream: true })
      let end = buffered.indexOf('\\n\\n')
      while (end >= 0) {
        const data = buffered.slice(6, end)
        buffered = buffered.slice(end + 2)
        end = buffered.indexOf('\\n\\n')
        if (data === '[DONE]') continue
        const chunk = JSON.parse(data)
        if (chunk.error) throw new Error(JSON.stringify(chunk.error))
        if (chunk.usage) completion = chunk.usage.completion_tokens
        if (chunk.choices[0] && chunk.choices[0].text !== '') {
          arrivals.push(performance.now())
          // The tiny model's byte vocabulary: about a character per token (events carry several when merged).
          const before = received
          received += chunk.choices[0].text.length
          if (before < killAt && received >= killAt) parentPort.postMessage({ kill: true })
        }
      }
    }
    const end = performance.now()
    parentPort.postMessage({ started, arrivals, completion, end })
  } catch (err) {
    parentPort.postMessage({ error: String(err) })
  }
})
`

/** An HTTP streaming client in a worker thread. */
class StreamClient {
  private readonly worker = new Worker(CLIENT_SOURCE, { eval: true })

  /** Streams a completion; returns [ttft ms, decode tokens/s, arrival times]; `onKillPoint` fires after about `killAt` tokens (characters). */
  stream(
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
    return new Promise((resolve, reject) => {
      const onMessage = (m: {
        kill?: true
        error?: string
        started: number
        arrivals: number[]
        completion: number
        end: number
      }) => {
        if (m.kill) return onKillPoint?.()
        this.worker.off('message', onMessage)
        if (m.error !== undefined) return reject(new Error(m.error))
        const first = m.arrivals[0]!
        resolve([first - m.started, ((m.completion - 1) * 1000) / (m.end - first), m.arrivals])
      }
      this.worker.on('message', onMessage)
      this.worker.postMessage({ url: `${url}/completions`, body, killAt })
    })
  }

  close(): Promise<number> {
    return this.worker.terminate()
  }
}

/** A serving peer in its own process (test/routing/fixtures/serving-node.ts), as on another machine. */
function spawnPeer(
  modelPath: string,
  coalesceMs?: number,
): Promise<{ child: ChildProcess; peerId: string; addrs: string[] }> {
  const script = join(import.meta.dirname, '..', 'test', 'routing', 'fixtures', 'serving-node.ts')
  const child = spawn(
    process.execPath,
    [
      // BENCH_CPU_PROF=<dir>: the peer writes a CPU profile there (run the bench itself with --cpu-prof too).
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      '--import',
      'tsx',
      script,
      // The same engine settings as the direct and local paths.
      JSON.stringify({ modelPath, contentRoot: ROOT, coalesceMs, contextSize: CONTEXT_SIZE, sequences: 1 }),
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (l) => resolve({ child, ...JSON.parse(l) }))
    child.once('exit', (code) => reject(new Error(`serving node exited with ${code}`)))
  })
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
    const client = new StreamClient()
    const local = await startNode(engine)
    const front = await startNode(undefined, (e) => failovers.push(e))
    const peer = await spawnPeer(path, settings.coalesceMs)
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

        const [apiTtft, apiRate, apiArrivals] = await client.stream(
          local.url,
          promptText(run, 'api '),
          settings.tokens,
          run,
        )
        if (keep) samples.api.push([apiTtft, apiRate, apiArrivals.length / settings.tokens])
        charge(keep, 'api', settings.tokens)
        const [proxyTtft, proxyRate, arrivals] = await client.stream(
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
        const victim = await spawnPeer(path)
        children.push(victim.child)
        await front.host.connect(victim.addrs[0]!)
        announce(front.directory, victim.peerId, 0)
        await client.stream(front.url, promptText(100 + i), settings.tokens, i, 20, () =>
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

/** Ends a serving peer cleanly (closing its stdin lets it stop and write a --cpu-prof profile); SIGKILL after 3 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.stdin?.end()
  })
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

/** CPU time used so far (µs) by this process and by the serving peer's process (Linux /proc; 0 elsewhere). */
function cpuMicros(peerPid: number): { self: number; peer: number } {
  const u = process.cpuUsage()
  let peer = 0
  try {
    // Fields 14 and 15 (utime, stime) in clock ticks; the command name (field 2) may contain spaces.
    const stat = readFileSync(`/proc/${peerPid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    peer = ((Number(f[11]) + Number(f[12])) * 1e6) / 100
  } catch {
    // not Linux, or the peer is gone
  }
  return { self: u.user + u.system, peer }
}

/** Prints one model's figures and returns its goal rows (the tiny model's carry the goals). */
function report(r: BenchInferenceResult): void {
  const s = r.settings
  const line = (label: string, p: PathFigures) =>
    `${label.padEnd(34)} TTFT ${p.ttftMs.toFixed(1).padStart(6)} ms  ${p.tokensPerSecond.toFixed(1).padStart(7)} tok/s  ` +
    `(×${(p.tokensPerSecond / r.direct.tokensPerSecond).toFixed(3)} tok/s, TTFT +${(p.ttftMs - r.direct.ttftMs).toFixed(1)} ms vs direct)  ` +
    `CPU ${p.cpuUsPerToken.toFixed(0).padStart(5)} µs/token (+${(p.cpuUsPerToken - r.direct.cpuUsPerToken).toFixed(0)})` +
    (p.eventsPerToken > 0 ? `  ${p.eventsPerToken.toFixed(2)} SSE events/token` : '') +
    (p.peerCpuUsPerToken > 0 ? `  (serving peer ${p.peerCpuUsPerToken.toFixed(0)} µs/token)` : '')
  console.log(
    `model: ${describeModel(s.model)}, threads=1, prompt≈${s.promptTokens} tokens, ${s.tokens} generated at temperature 0.8, median of ${s.runs} runs`,
  )
  console.log(line('(a) node-llama-cpp direct', r.direct))
  console.log(line('    LlamaCppEngine in-process', r.engine))
  console.log(line('(b) /v1 API, HTTP + SSE, local', r.api))
  console.log(line('(c) /v1 API proxied over libp2p', r.proxy))
  const ok = (cond: boolean) => (cond ? 'met' : 'NOT met')
  const apiX = r.api.tokensPerSecond / r.direct.tokensPerSecond
  const proxyX = r.proxy.tokensPerSecond / r.direct.tokensPerSecond
  const ms = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`
  console.log(
    `goal (b) >= 0.97x tok/s: ${ok(apiX >= 0.97)}; TTFT added <= 10 ms: ${ok(r.api.ttftMs - r.direct.ttftMs <= 10)}`,
  )
  console.log(
    `goal (c) >= 0.95x tok/s: ${ok(proxyX >= 0.95)}; TTFT added <= 25 ms: ${ok(r.proxy.ttftMs - r.direct.ttftMs <= 25)}`,
  )
  console.log(
    `relative to the engine in-process: (b) ×${(r.api.tokensPerSecond / r.engine.tokensPerSecond).toFixed(3)}, (c) ×${(r.proxy.tokensPerSecond / r.engine.tokensPerSecond).toFixed(3)} tok/s`,
  )
  const model = s.model === 'tiny' ? '' : `, ${s.model} model`
  reportGoals([
    {
      bench: 'inference',
      goal: `(b) local /v1 tok/s vs direct >= 0.97x${model}`,
      figure: times(apiX),
      met: apiX >= 0.97,
    },
    {
      bench: 'inference',
      goal: `(b) local /v1 TTFT added <= 10 ms${model}`,
      figure: ms(r.api.ttftMs - r.direct.ttftMs),
      met: r.api.ttftMs - r.direct.ttftMs <= 10,
    },
    {
      bench: 'inference',
      goal: `(c) proxied tok/s vs direct >= 0.95x${model}`,
      figure: times(proxyX),
      met: proxyX >= 0.95,
    },
    {
      bench: 'inference',
      goal: `(c) proxied TTFT added <= 25 ms${model}`,
      figure: ms(r.proxy.ttftMs - r.direct.ttftMs),
      met: r.proxy.ttftMs - r.direct.ttftMs <= 25,
    },
  ])
  for (const f of r.failovers) {
    console.log(
      `failover (${f.reason}) after ${f.generated} tokens: detection→first token ${f.resumeMs.toFixed(1)} ms; client-visible gap ${f.gapMs.toFixed(1)} ms (normal token interval ${r.tokenIntervalMs.toFixed(2)} ms, so +${(f.gapMs - r.tokenIntervalMs).toFixed(1)} ms added)`,
    )
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
