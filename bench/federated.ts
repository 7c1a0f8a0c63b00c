/*
 * Federated-core benchmark. Every ratio compares two measurements taken in the same run, best of N, so
 * it holds on a loaded machine better than absolute times do.
 *   npx tsx bench/federated.ts            (full size: 20 x 10M FedAvg, 10 x 1M secure aggregation)
 *   BENCH_SCALE=0.1 npx tsx bench/federated.ts   (smaller, for a quick look)
 */
import { createCipheriv, randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import { KEYSTREAM_CHUNK_BYTES } from '../src/aggregation/constants.ts'
import {
  type ClientUpdate,
  decodeFixedPoint,
  type EncryptedShare,
  encodeFixedPoint,
  fixedPointScale,
  neighbourhoodThreshold,
  SecureAggregationClient,
  SecureAggregator,
  type Tensor,
} from '../src/aggregation/index.ts'
// The FedAvg kernel itself, measured without the strategy's bookkeeping.
import { fedAvgDelta } from '../src/aggregation/strategies/fedavg.ts'
import { QUICK, reportGoals, times } from './goals.ts'
import { formatScaleRows, runSecAggScale } from './secagg-scale.ts'

/** Neighbours per member in the sparse (SecAgg+) rows: threshold 3 of the 5 holders of each secret. */
const SPARSE_DEGREE = 4

/** One line of the report. */
export interface BenchRow {
  readonly name: string
  readonly ms: number
  /** The comparison this row's goal is about, as a multiple (see `goal`). */
  readonly ratio: number | undefined
  readonly goal: string
  readonly met: boolean | undefined
}

/** Sizes and repetitions. */
export interface FederatedBenchOptions {
  readonly fedavgUpdates?: number
  readonly fedavgParams?: number
  readonly secaggMembers?: number
  readonly secaggParams?: number
  readonly repeats?: number
}

/**
 * Best-of-N times of several runs, run alternately so all see the same machine load (the bench machine
 * is shared; a load burst hits every side of a ratio instead of one).
 */
async function bestOf<const T extends ReadonlyArray<() => unknown>>(
  repeats: number,
  runs: T,
): Promise<{ [K in keyof T]: number }> {
  const min = runs.map(() => Number.POSITIVE_INFINITY)
  for (let i = 0; i < repeats; i++) {
    for (const [k, run] of runs.entries()) {
      const t0 = performance.now()
      await run()
      min[k] = Math.min(min[k]!, performance.now() - t0)
    }
  }
  return min as { [K in keyof T]: number }
}

function randomFloats(n: number, seed: number): Float32Array {
  const out = new Float32Array(n)
  let s = seed >>> 0
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    out[i] = (s / 4294967296 - 0.5) * 0.02
  }
  return out
}

/** Splits a flat vector into a model-like map of tensors (so per-tensor overheads are counted). */
function asTensors(flat: Float32Array, tensors: number): Map<string, Tensor> {
  const out = new Map<string, Tensor>()
  const per = Math.ceil(flat.length / tensors)
  for (let k = 0, off = 0; off < flat.length; k++, off += per) {
    const data = flat.subarray(off, Math.min(flat.length, off + per))
    out.set(`blk.${k}.ffn_up.weight`, { shape: [data.length], data })
  }
  return out
}

/** Raw ChaCha20 keystream generation through node:crypto, discarded: the masking baseline. */
function rawKeystream(key: Uint8Array, bytes: number): void {
  const cipher = createCipheriv('chacha20', key, Buffer.alloc(16))
  const zeros = Buffer.alloc(KEYSTREAM_CHUNK_BYTES)
  for (let off = 0; off < bytes; off += zeros.length)
    cipher.update(zeros.subarray(0, Math.min(zeros.length, bytes - off)))
}

interface PreparedRound {
  readonly clients: SecureAggregationClient[]
  readonly coordinator: SecureAggregator
  readonly routed: Map<string, EncryptedShare[]>
}

async function prepareRound(
  ids: readonly string[],
  vectorLength: number,
  roundId: string,
  degree?: number,
): Promise<PreparedRound> {
  const threshold = degree === undefined ? Math.floor(ids.length / 2) + 1 : neighbourhoodThreshold(degree)
  const hood = degree === undefined ? {} : { neighbourhood: { degree, seed: roundId, members: ids } }
  const clients = ids.map(
    (memberId) => new SecureAggregationClient({ memberId, roundId, threshold, vectorLength, ...hood }),
  )
  const coordinator = new SecureAggregator({ roundId, threshold, vectorLength, ...hood })
  for (const c of clients) coordinator.receiveKeys(c.advertiseKeys())
  const roster = coordinator.roster()
  for (const c of clients) coordinator.receiveShares(await c.shareKeys(roster))
  const routed = new Map(clients.map((c) => [c.memberId, coordinator.sharesFor(c.memberId)]))
  return { clients, coordinator, routed }
}

/**
 * Runs the federated benchmarks and returns one row per measurement.
 * @example
 * const rows = await runFederatedBench({ repeats: 3 })
 */
export async function runFederatedBench(options: FederatedBenchOptions = {}): Promise<BenchRow[]> {
  const scale = Number(process.env.BENCH_SCALE ?? (QUICK ? 0.2 : 1))
  const nUpdates = options.fedavgUpdates ?? 20
  const nParams = options.fedavgParams ?? Math.round(10_000_000 * scale)
  const members = options.secaggMembers ?? 10
  const secParams = options.secaggParams ?? Math.round(1_000_000 * scale)
  const repeats = options.repeats ?? 7
  const rows: BenchRow[] = []

  // 1. FedAvg vs memcpy of the same bytes.
  const global = asTensors(new Float32Array(nParams), 16)
  const updates: ClientUpdate[] = Array.from({ length: nUpdates }, (_, k) => ({
    memberId: `m${k}`,
    numExamples: 100 + k,
    tensors: asTensors(randomFloats(nParams, k + 1), 16),
  }))
  const flat = updates.map((u) => [...u.tensors.values()].map((t) => t.data))
  const copyTarget = new Float32Array(nParams)
  const [copyMs, fedavgMs] = await bestOf(repeats, [
    () => {
      for (const parts of flat) {
        let off = 0
        for (const p of parts) {
          copyTarget.set(p, off)
          off += p.length
        }
      }
    },
    () => fedAvgDelta(global, updates),
  ])
  rows.push({
    name: `memcpy ${nUpdates} x ${nParams} f32`,
    ms: copyMs,
    ratio: undefined,
    goal: '',
    met: undefined,
  })
  const fedavgSpeed = copyMs / fedavgMs
  rows.push({
    name: `FedAvg ${nUpdates} x ${nParams} (speed vs memcpy)`,
    ms: fedavgMs,
    ratio: fedavgSpeed,
    goal: '>= 0.3x',
    met: fedavgSpeed >= 0.3,
  })

  // 2. One member's masking vs raw ChaCha20 keystream over the same bytes (1 self + members-1 pairwise).
  const ids = Array.from({ length: members }, (_, i) => `member-${String(i).padStart(2, '0')}`)
  const clip = 1
  const fpScale = fixedPointScale(clip, members)
  const floats = ids.map((_, k) => randomFloats(secParams, 1000 + k))
  const encoded = floats.map((f) => encodeFixedPoint(f, fpScale, clip))
  const streamBytes = members * secParams * 4
  const key = randomBytes(32)
  const rounds: PreparedRound[] = []
  for (let r = 0; r < repeats; r++) rounds.push(await prepareRound(ids, secParams, `bench-mask-${r}`))
  let next = 0
  const [rawMs, maskMs] = await bestOf(repeats, [
    () => rawKeystream(key, streamBytes),
    () => {
      const { clients, routed } = rounds[next++]!
      clients[0]!.maskInput(encoded[0]!, routed.get(clients[0]!.memberId)!)
    },
  ])
  rows.push({
    name: `ChaCha20 keystream ${(streamBytes / 2 ** 20).toFixed(1)} MiB`,
    ms: rawMs,
    ratio: undefined,
    goal: '',
    met: undefined,
  })
  const maskSpeed = rawMs / maskMs
  rows.push({
    name: `mask 1 of ${members} x ${secParams} (speed vs keystream)`,
    ms: maskMs,
    ratio: maskSpeed,
    goal: '>= 0.5x',
    met: maskSpeed >= 0.5,
  })

  // 3. Coordinator unmask + sum + decode vs plain FedAvg of the same updates.
  const plainUpdates: ClientUpdate[] = floats.map((f, k) => ({
    memberId: ids[k]!,
    numExamples: 1,
    tensors: asTensors(f, 1),
  }))
  const plainGlobal = asTensors(new Float32Array(secParams), 1)
  for (const [dropped, degree] of [
    [0, undefined],
    [2, undefined],
    [0, SPARSE_DEGREE],
    [2, SPARSE_DEGREE],
  ] as const) {
    const ready: SecureAggregator[] = []
    for (let r = 0; r < repeats; r++) {
      const { clients, coordinator, routed } = await prepareRound(
        ids,
        secParams,
        `bench-unmask-${dropped}-${degree}-${r}`,
        degree,
      )
      const up = clients.slice(dropped)
      up.forEach((c) => {
        coordinator.receiveMaskedInput(
          c.maskInput(encoded[ids.indexOf(c.memberId)]!, routed.get(c.memberId)!),
        )
      })
      const request = coordinator.unmaskRequest()
      for (const c of up) coordinator.receiveUnmaskResponse(c.unmask(request))
      ready.push(coordinator)
    }
    let i = 0
    // The coordinator must generate one keystream per survivor's self mask and one per (dropped, survivor)
    // pair: that native ChaCha20 work alone is the floor of the unmasking time.
    const survivors = members - dropped
    // Each dropped member's pairwise masks with its surviving peers: all survivors, or its k neighbours.
    const pairs = degree === undefined ? dropped * survivors : dropped * degree
    const floorBytes = (survivors + pairs) * secParams * 4
    const [plainMs, unmaskMs, floorMs] = await bestOf(repeats, [
      () => fedAvgDelta(plainGlobal, plainUpdates),
      async () => {
        const { sum, contributors } = await ready[i++]!.finish()
        // The mean, decoded in one pass.
        decodeFixedPoint(sum, fpScale, contributors.length)
      },
      () => rawKeystream(key, floorBytes),
    ])
    rows.push({
      name: `FedAvg ${members} x ${secParams}`,
      ms: plainMs,
      ratio: undefined,
      goal: '',
      met: undefined,
    })
    const ratio = unmaskMs / plainMs
    const mode = degree === undefined ? '' : `, sparse k=${degree}`
    rows.push({
      name: `unmask+sum ${members - dropped} of ${members}${mode}, ${dropped} dropped (time vs FedAvg)`,
      ms: unmaskMs,
      ratio,
      goal: '<= 3x',
      met: ratio <= 3,
    })
    rows.push({
      name: `  floor: raw keystream for its ${survivors + pairs} masks, one thread (time vs FedAvg)`,
      ms: floorMs,
      ratio: floorMs / plainMs,
      goal: '',
      met: undefined,
    })
  }
  return rows
}

/** The rows as a fixed-width text table. */
export function formatRows(rows: readonly BenchRow[]): string {
  const head = ['name', 'time ms', 'ratio', 'goal', 'met?']
  const body = rows.map((r) => [
    r.name,
    r.ms.toFixed(1),
    r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}x`,
    r.goal,
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ])
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await runFederatedBench(QUICK ? { repeats: 3 } : {})
  process.stdout.write(`${formatRows(rows)}\n`)
  process.stdout.write(
    `  (load average ${loadavg()[0]!.toFixed(2)}; with a second core the coordinator shares its keystreams with a worker so both threads end together)\n\n`,
  )
  const words = QUICK ? 2_000 : 10_000
  process.stdout.write(`${formatScaleRows(await runSecAggScale({ words }), words)}\n`)
  reportGoals(
    rows
      .filter((r) => r.met !== undefined)
      .map((r) => ({
        bench: 'federated',
        goal: `${r.name.trim()} ${r.goal}`,
        figure: times(r.ratio!),
        met: r.met!,
      })),
  )
}
