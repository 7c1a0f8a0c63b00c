/**
 * Memory of real nodes: the local commons (`commons local`: three `commons up` processes, the demo model
 * replicated to all and served by two, paid, so every request is metered), and each node process's
 * resident memory (VmRSS): idle; the most while it answers 16 concurrent streams (a node that does not
 * serve the model proxies them to the two that do); and after N, 4N, 7N and 10N requests spread over
 * the three nodes (the leak check: what a node holds must not grow with the number of requests it served;
 * prints the growth from N to 10N and the least-squares slope per 1,000 requests).
 * Linux only (/proc).
 * Run: npx tsx bench/memory.ts [--requests 30] [--streams 16] [--tokens 48]
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { QUICK, reportGoals } from './goals.ts'
import { startLocalCommons } from './local-commons-process.ts'

const MODEL = 'commons-demo'
/**
 * Leak check goal: a node's resident memory grows at most this much per 1,000 requests once warm (least
 * squares over the checkpoints after the first N requests; a leak of 10 KB per request fails it).
 */
const MAX_SLOPE_MB = 8

interface Member {
  name: string
  apiUrl: string
  serves: boolean
  pid: number
}

/** Resident memory of a process in MB (VmRSS). */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}

/** The median of a few samples of each member's RSS, `gapMs` apart (the garbage collector moves it). */
async function settledRss(members: Member[], samples = 5, gapMs = 400): Promise<number[]> {
  const seen: number[][] = members.map(() => [])
  for (let i = 0; i < samples; i++) {
    for (const [k, m] of members.entries()) seen[k]!.push(rssMb(m.pid))
    await new Promise((r) => setTimeout(r, gapMs))
  }
  return seen.map(median)
}

/** One streamed chat completion through `member`; resolves with the completion tokens (0 when refused). */
async function complete(member: Member, i: number, maxTokens: number): Promise<number> {
  const res = await fetch(new URL('/v1/chat/completions', member.apiUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: `request ${i}: tell me about the commons` }],
      max_tokens: maxTokens,
      temperature: 0.8,
      seed: i,
      stream: true,
      stream_options: { include_usage: true },
    }),
  })
  if (!res.ok) {
    await res.text()
    return 0
  }
  const text = await res.text()
  const usage = /"completion_tokens":(\d+)/.exec(text)
  return usage === null ? 0 : Number(usage[1])
}

/** `count` requests spread over the members, `concurrency` at a time; returns how many completed. */
async function requests(members: Member[], from: number, count: number, concurrency: number, tokens: number) {
  let next = 0
  let completed = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const n = from + i
        if ((await complete(members[n % members.length]!, n, tokens).catch(() => 0)) > 0) completed++
      }
    }),
  )
  return completed
}

/** Least-squares slope of y over x. */
function slopeOf(points: Array<[number, number]>): number {
  const mx = points.reduce((a, p) => a + p[0], 0) / points.length
  const my = points.reduce((a, p) => a + p[1], 0) / points.length
  const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0)
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0)
  return sxx === 0 ? 0 : sxy / sxx
}

/** Runs the memory benchmark; returns per member: idle, peak under 16 streams, and at each checkpoint (MB). */
export async function benchMemory(options: { requests?: number; streams?: number; tokens?: number } = {}) {
  const n = options.requests ?? 30
  const streams = options.streams ?? 16
  const tokens = options.tokens ?? 48
  const dataDir = await mkdtemp(join(tmpdir(), 'commons-bench-memory-'))
  const port = 24_000 + Math.floor(Math.random() * 100) * 20
  let child: ChildProcess | undefined
  try {
    const started = await startLocalCommons<{ members: Member[] }>(dataDir, port, {
      ...process.env,
      COMMONS_LOG_LEVEL: 'warn',
    })
    child = started.child
    const members = started.ready.members
    await new Promise((r) => setTimeout(r, 3_000)) // let start-up work (announcements, settlement) finish
    const idle = await settledRss(members)

    // Each node in turn answers `streams` concurrent streams; its RSS is sampled every 100 ms meanwhile.
    const peak = members.map(() => 0)
    const busy = members.map(() => 0)
    for (const [k, member] of members.entries()) {
      let running = true
      const sampler = (async () => {
        while (running) {
          for (const [j, m] of members.entries()) peak[j] = Math.max(peak[j]!, rssMb(m.pid))
          busy[k] = Math.max(busy[k]!, rssMb(member.pid))
          await new Promise((r) => setTimeout(r, 100))
        }
      })()
      const done = await Promise.all(
        Array.from({ length: streams }, (_, i) =>
          complete(member, 1_000 * (k + 1) + i, tokens).catch(() => 0),
        ),
      )
      running = false
      await sampler
      if (done.some((t) => t === 0))
        console.log(
          `${member.name}: ${done.filter((t) => t === 0).length} of ${streams} streams refused or failed`,
        )
    }

    // The leak check: RSS after N requests, then after every further 3N up to 10N. A leak shows as a
    // steady slope; the garbage collector's and allocator's moves as noise around a flat line.
    const checkpoints: Array<{ served: number; rss: number[] }> = []
    let completed = 0
    for (let served = 0; served < 10 * n; ) {
      const count = served === 0 ? n : 3 * n
      completed += await requests(members, served, count, 8, 16)
      served += count
      checkpoints.push({ served, rss: await settledRss(members) })
    }
    return { n, streams, tokens, members, idle, busy, peak, checkpoints, completed }
  } finally {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r))
      child.kill('SIGINT')
      await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))])
      if (child.exitCode === null) child.kill('SIGKILL')
    }
    await rm(dataDir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { requests: { type: 'string' }, streams: { type: 'string' }, tokens: { type: 'string' } },
  })
  const load = loadavg()[0]!
  const r = await benchMemory({
    requests: values.requests ? Number(values.requests) : QUICK ? 10 : undefined,
    streams: values.streams ? Number(values.streams) : undefined,
    tokens: values.tokens ? Number(values.tokens) : undefined,
  })
  console.log(
    `local commons: 3 node processes, ${MODEL} served by two; ${r.streams} concurrent streams of ${r.tokens} tokens through each node in turn; ` +
      `then ${10 * r.n} requests of 16 tokens over the three, 8 at a time (${r.completed} of ${10 * r.n} completed); load average ${load.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
  )
  const mb = (x: number) => `${x.toFixed(0)} MB`
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} MB`
  const cps = r.checkpoints
  console.log(
    [
      'node',
      'serves',
      'idle',
      `${r.streams} streams`,
      'peak (any phase)',
      ...cps.map((c) => `after ${c.served}`),
      `growth ${cps[0]!.served}→${cps.at(-1)!.served}`,
      `slope per 1000 from ${cps[1]?.served}`,
    ].join(' | '),
  )
  const rows = r.members.map((m, k) => {
    const first = cps[0]!.rss[k]!
    const last = cps.at(-1)!.rss[k]!
    const growth = last - first
    // The slope after the first checkpoint: the first N requests warm the heap up (JIT, pools, caches).
    const slope = 1000 * slopeOf(cps.slice(1).map((c) => [c.served, c.rss[k]!]))
    console.log(
      [
        m.name,
        m.serves ? 'yes' : 'no',
        mb(r.idle[k]!),
        mb(r.busy[k]!),
        mb(r.peak[k]!),
        ...cps.map((c) => mb(c.rss[k]!)),
        signed(growth),
        signed(slope),
      ].join(' | '),
    )
    return { name: m.name, growth, slope }
  })
  const worst = rows.reduce((a, b) => (b.slope > a.slope ? b : a))
  reportGoals([
    {
      bench: 'memory',
      goal: `RSS slope after the first ${r.n} requests <= ${MAX_SLOPE_MB} MB per 1,000 requests, every node`,
      figure: `${signed(worst.slope)} (${worst.name}; growth ${r.n}→${10 * r.n}: ${signed(worst.growth)})`,
      met: worst.slope <= MAX_SLOPE_MB && r.completed === 10 * r.n,
    },
  ])
  process.exit(0)
}
