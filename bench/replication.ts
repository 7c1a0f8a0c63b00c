// Replication throughput on loopback: raw TCP copy (the limit), our chunk replication from one and
// from three peers, and Helia (IPFS in JS) when it is installed.
// Usage: npx tsx bench/replication.ts [--size MB[,MB...]]   (default 500; e.g. --size 200,1024)
//        npm run bench -- replication --size 1024
// Everything runs in this one process (serving and fetching nodes alike), so MB per CPU-second counts
// both ends of each transfer, as it does for raw TCP.
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { createServer, connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { pathToFileURL } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { silentLogger } from '../src/log.ts'
import type { CommonsHost } from '../src/net/commons-host.ts'
import { createCommonsHost } from '../src/net/index.ts'
import type { ContentStore } from '../src/store/content-store.ts'
import { createChunkReplicator, createContentStore } from '../src/store/index.ts'
import type { ChunkReplicator } from '../src/store/replication/chunk-replicator.ts'
import { type GoalRow, QUICK, reportGoals, times } from './goals.ts'

/** One measured transfer. */
export interface BenchFigure {
  name: string
  bytes: number
  seconds: number
  mbPerSec: number
  /** MB moved per CPU-second of this process (user + sys, both ends): stable on a loaded machine. */
  mbPerCpuSec: number
  ratioToRawTcp?: number
  cpuRatioToRawTcp?: number
  /** Chunks fetched, and of them over the encrypted bulk channel (commons figures only). */
  chunks?: number
  bulkChunks?: number
  /** Resident memory of this process (both ends) before the fetch and at its peak, MB (commons figures). */
  rssBeforeMB?: number
  rssPeakMB?: number
}

/** Options of the benchmark. */
export interface ReplicationBenchOptions {
  sizeMB?: number
  /** fsync each chunk (the store's default); raw TCP never fsyncs. */
  durable?: boolean
  chunkSize?: number
  streamsPerPeer?: number
  helia?: boolean
  log?: (line: string) => void
}

interface BenchNode {
  host: CommonsHost
  store: ContentStore
  replicator: ChunkReplicator
}

async function writeRandomFile(path: string, bytes: number): Promise<string> {
  const fh = await open(path, 'w')
  const hash = createHash('sha256')
  const block = randomBytes(4 * 1024 * 1024)
  for (let off = 0, i = 0; off < bytes; off += block.byteLength, i++) {
    block.writeUInt32LE(i, 0)
    const part = block.subarray(0, Math.min(block.byteLength, bytes - off))
    hash.update(part)
    await fh.write(part)
  }
  // on disk before the raw TCP copy starts: its time should not include writing back the input
  await fh.sync()
  await fh.close()
  return hash.digest('hex')
}

function figure(name: string, bytes: number, ms: number, cpu: NodeJS.CpuUsage): BenchFigure {
  const seconds = ms / 1000
  const cpuSec = (cpu.user + cpu.system) / 1e6
  return { name, bytes, seconds, mbPerSec: bytes / 1e6 / seconds, mbPerCpuSec: bytes / 1e6 / cpuSec }
}

async function rawTcpCopy(src: string, dest: string, bytes: number): Promise<BenchFigure> {
  const server = createServer((socket) => {
    void pipeline(createReadStream(src, { highWaterMark: 1024 * 1024 }), socket).catch(() => undefined)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const started = performance.now()
  const cpu = process.cpuUsage()
  const socket = tcpConnect(port, '127.0.0.1')
  await pipeline(socket, createWriteStream(dest))
  const ms = performance.now() - started
  server.close()
  return figure('raw TCP copy (node:net, loopback)', bytes, ms, process.cpuUsage(cpu))
}

async function startNode(dir: string, opts: ReplicationBenchOptions): Promise<BenchNode> {
  const host = createCommonsHost(
    { privateKey: randomBytes(32), listen: ['/ip4/127.0.0.1/tcp/0'], admission: 'open' },
    { log: silentLogger },
  )
  await host.start()
  const store = createContentStore(
    { dir, chunkSize: opts.chunkSize, durable: opts.durable },
    { log: silentLogger },
  )
  await store.start()
  const replicator = createChunkReplicator({}, { host, store, log: silentLogger })
  await replicator.start()
  return { host, store, replicator }
}

async function stopNode(n: BenchNode): Promise<void> {
  await n.replicator.stop()
  await n.host.stop()
}

async function commonsFetch(
  name: string,
  sources: BenchNode[],
  fetcher: BenchNode,
  root: string,
  opts: ReplicationBenchOptions,
  transport: 'auto' | 'libp2p' = 'auto',
): Promise<BenchFigure> {
  for (const s of sources) await fetcher.host.connect(s.host.multiaddrs()[0]!)
  const started = performance.now()
  const cpu = process.cpuUsage()
  // Memory while the fetch runs (sampled every 50 ms): a fetch must not hold what it moves.
  const rssBefore = process.memoryUsage.rss()
  let rssPeak = rssBefore
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
  }, 50)
  let result: Awaited<ReturnType<ChunkReplicator['fetch']>>
  try {
    result = await fetcher.replicator.fetch(root, {
      providers: sources.map((s) => s.host.peerId),
      streamsPerPeer: opts.streamsPerPeer,
      transport,
    })
  } finally {
    clearInterval(sampler)
  }
  const ms = performance.now() - started
  const f = figure(name, result.fetchedBytes, ms, process.cpuUsage(cpu))
  f.bulkChunks = result.bulkChunks
  f.chunks = result.fetchedChunks
  f.rssBeforeMB = rssBefore / 2 ** 20
  f.rssPeakMB = Math.max(rssPeak, process.memoryUsage.rss()) / 2 ** 20
  return f
}

function logCommons(log: (line: string) => void, f: BenchFigure): void {
  log(
    `${f.name}: ${f.mbPerSec.toFixed(0)} MB/s (${f.bulkChunks} of ${f.chunks} chunks on the encrypted bulk channel); ` +
      `RSS of both ends ${f.rssBeforeMB!.toFixed(0)} MB before, ${f.rssPeakMB!.toFixed(0)} MB at peak`,
  )
}

const heliaEntry: Record<string, string> = {
  helia: 'dist/src/index.js',
  '@helia/unixfs': 'dist/src/index.js',
  'blockstore-fs': 'dist/src/index.js',
}

async function heliaCopy(src: string, dir: string, bytes: number): Promise<BenchFigure | string> {
  let mods: [Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]
  try {
    // optional: only when helia + @helia/unixfs + blockstore-fs are installed
    const load = (name: string): Promise<Record<string, unknown>> =>
      import(name) as Promise<Record<string, unknown>>
    // Helia is a devDependency; HELIA_MODULES may point at another node_modules to compare other versions
    const base = process.env.HELIA_MODULES
    const resolve = (name: string): string =>
      base === undefined ? name : pathToFileURL(join(base, name, heliaEntry[name]!)).href
    mods = await Promise.all([
      load(resolve('helia')),
      load(resolve('@helia/unixfs')),
      load(resolve('blockstore-fs')),
    ])
  } catch (err) {
    return `skipped: ${(err as Error).message.split('\n')[0]}`
  }
  // biome-ignore lint/suspicious/noExplicitAny: optional dependency loaded dynamically
  const [{ createHelia }, { unixfs }, { FsBlockstore }] = mods as any
  // Helia with the same transport stack as ours (TCP + Noise + Yamux + identify), no public bootstrap:
  // bitswap over unixfs vs our chunk protocol.
  const make = async (name: string) => {
    const blockstore = new FsBlockstore(join(dir, name))
    await blockstore.open?.()
    const helia = createHelia({
      blockstore,
      libp2p: {
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        transports: [tcp()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        peerDiscovery: [],
        connectionGater: { denyDialMultiaddr: () => false },
        services: { identify: identify() },
      },
    })
    await helia.start()
    return helia
  }
  const a = await make('helia-a')
  const b = await make('helia-b')
  try {
    const fsA = unixfs(a)
    const cid = await fsA.addByteStream(createReadStream(src, { highWaterMark: 1024 * 1024 }))
    await b.libp2p.dial(a.libp2p.getMultiaddrs()[0])
    const started = performance.now()
    const cpu = process.cpuUsage()
    const out = createWriteStream(join(dir, 'helia.out'))
    await pipeline(unixfs(b).cat(cid), out)
    return figure(
      'Helia unixfs cat (bitswap, 2 nodes)',
      bytes,
      performance.now() - started,
      process.cpuUsage(cpu),
    )
  } finally {
    await b.stop()
    await a.stop()
  }
}

/**
 * Runs the replication benchmark and returns its figures (ratios relative to raw TCP).
 * @example const figures = await runReplicationBench({ sizeMB: 200 })
 */
export async function runReplicationBench(options: ReplicationBenchOptions = {}): Promise<BenchFigure[]> {
  const opts = { sizeMB: 500, durable: true, helia: true, ...options }
  const log = opts.log ?? (() => {})
  const bytes = opts.sizeMB * 1024 * 1024
  const dir = await mkdtemp(join(tmpdir(), 'commons-bench-'))
  const figures: BenchFigure[] = []
  const nodes: BenchNode[] = []
  try {
    const src = join(dir, 'input.bin')
    await writeRandomFile(src, bytes)
    const raw = await rawTcpCopy(src, join(dir, 'raw.out'), bytes)
    // each copy is removed once measured, so its writeback does not load the next measurement's disk
    await rm(join(dir, 'raw.out'), { force: true })
    figures.push(raw)
    log(`${raw.name}: ${raw.mbPerSec.toFixed(0)} MB/s`)

    const seeds = await Promise.all([0, 1, 2].map((i) => startNode(join(dir, `seed${i}`), opts)))
    nodes.push(...seeds)
    const { root } = await seeds[0]!.store.add(src)
    for (const s of seeds.slice(1)) await s.store.add(src)

    const one = await startNode(join(dir, 'fetch1'), opts)
    nodes.push(one)
    figures.push(await commonsFetch('commons replication, 1 peer', [seeds[0]!], one, root, opts))
    logCommons(log, figures.at(-1)!)
    await stopNode(one)
    await rm(join(dir, 'fetch1'), { recursive: true, force: true })

    const enc = await startNode(join(dir, 'fetch1-libp2p'), opts)
    nodes.push(enc)
    figures.push(
      await commonsFetch('commons replication, 1 peer, libp2p only', [seeds[0]!], enc, root, opts, 'libp2p'),
    )
    logCommons(log, figures.at(-1)!)
    await stopNode(enc)
    await rm(join(dir, 'fetch1-libp2p'), { recursive: true, force: true })

    const three = await startNode(join(dir, 'fetch3'), opts)
    nodes.push(three)
    figures.push(await commonsFetch('commons replication, 3 peers', seeds, three, root, opts))
    logCommons(log, figures.at(-1)!)
    await Promise.all(nodes.map((n) => stopNode(n).catch(() => undefined)))
    nodes.length = 0

    if (opts.helia) {
      const helia = await heliaCopy(src, dir, bytes)
      if (typeof helia === 'string') log(`Helia: ${helia}`)
      else {
        figures.push(helia)
        log(`${helia.name}: ${helia.mbPerSec.toFixed(0)} MB/s`)
      }
    }
    for (const f of figures) {
      f.ratioToRawTcp = f.mbPerSec / raw.mbPerSec
      f.cpuRatioToRawTcp = f.mbPerCpuSec / raw.mbPerCpuSec
    }
    return figures
  } finally {
    await Promise.all(nodes.map((n) => stopNode(n).catch(() => undefined)))
    await rm(dir, { recursive: true, force: true })
  }
}

/** Sizes asked for: `--size 200,1024`, a bare number (older usage), or BENCH_SIZE_MB; default 500 (50 quick). */
export function benchSizes(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): number[] {
  const at = argv.indexOf('--size')
  const raw = at >= 0 ? argv[at + 1] : (argv.find((a) => /^\d+$/.test(a)) ?? env.BENCH_SIZE_MB)
  if (raw === undefined) return [QUICK ? 50 : 500]
  const sizes = raw.split(',').map(Number)
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new RangeError(`--size takes whole MB, comma-separated (e.g. --size 200,1024), not ${raw}.`)
  }
  return sizes
}

async function benchOneSize(sizeMB: number, out: (line: string) => void): Promise<GoalRow[]> {
  out(`\n--- ${sizeMB} MB ---`)
  const figures = await runReplicationBench({
    sizeMB,
    log: out,
    durable: process.env.BENCH_DURABLE !== '0',
    streamsPerPeer: process.env.BENCH_STREAMS === undefined ? undefined : Number(process.env.BENCH_STREAMS),
    helia: process.env.BENCH_HELIA !== '0',
  })
  const helia = figures.find((f) => f.name.startsWith('Helia'))
  out(
    `\nresult (${sizeMB} MB): wall-clock MB/s (x raw TCP, x Helia) | MB per CPU-second (x raw TCP, x Helia)`,
  )
  for (const f of figures) {
    const wallHelia = helia === undefined ? '' : ` ${(f.mbPerSec / helia.mbPerSec).toFixed(2)}xH`
    const cpuHelia = helia === undefined ? '' : ` ${(f.mbPerCpuSec / helia.mbPerCpuSec).toFixed(2)}xH`
    out(
      `  ${f.name.padEnd(42)} ${f.mbPerSec.toFixed(0).padStart(5)} MB/s (${f.ratioToRawTcp!.toFixed(2)}x${wallHelia})` +
        ` | ${f.mbPerCpuSec.toFixed(0).padStart(5)} MB/cpu-s (${f.cpuRatioToRawTcp!.toFixed(2)}x${cpuHelia})`,
    )
  }
  const goals: GoalRow[] = []
  for (const f of figures.filter((f) => f.name.startsWith('commons') && !f.name.includes('libp2p only'))) {
    goals.push({
      bench: 'replication',
      goal: `${f.name} (${sizeMB} MB) vs raw TCP >= 0.5x`,
      figure: `${times(f.ratioToRawTcp!)} (${f.mbPerCpuSec.toFixed(0)} MB/cpu-s, ${times(f.cpuRatioToRawTcp!)} raw's)`,
      met: f.ratioToRawTcp! >= 0.5,
    })
    if (helia !== undefined)
      goals.push({
        bench: 'replication',
        goal: `${f.name} (${sizeMB} MB) vs Helia >= 2x`,
        figure: times(f.mbPerSec / helia.mbPerSec),
        met: f.mbPerSec / helia.mbPerSec >= 2,
      })
  }
  return goals
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const out = (line: string): void => {
    process.stdout.write(`${line}\n`)
  }
  const goals: GoalRow[] = []
  for (const sizeMB of benchSizes(process.argv.slice(2))) goals.push(...(await benchOneSize(sizeMB, out)))
  reportGoals(goals)
}
