/*
 * Secure aggregation at scale, simulated in one process: per-member and coordinator cost of one round at
 * 10, 100 and 1,000 members, the full protocol (Bonawitz et al.: every member pairs with every other, at most
 * 255 members) against SecAgg+ sparse neighbourhoods (k = 2 ceil(log2 n) neighbours of a public graph).
 * CPU milliseconds of the calls each side makes, and the bytes a member sends (keys, sealed shares, masked
 * vector). Run: npx tsx bench/secagg-scale.ts [vectorWords]
 */
import { pathToFileURL } from 'node:url'
import {
  defaultNeighbourhoodDegree,
  type EncryptedShare,
  type NeighbourhoodInit,
  neighbourhoodThreshold,
  SecureAggregationClient,
  SecureAggregator,
} from '../src/aggregation/index.ts'

/** One simulated round's figures. */
export interface ScaleRow {
  members: number
  mode: string
  dropped: number
  /** Mean CPU ms of one member's four phases. */
  memberMs: number
  /** Shares a member seals and sends. */
  sharesPerMember: number
  /** Bytes a member sends in the round. */
  memberBytes: number
  /** Coordinator CPU ms (routing, checks, unmasking). */
  coordinatorMs: number
}

async function simulate(
  n: number,
  words: number,
  dropped: number,
  degree: number | undefined,
): Promise<ScaleRow> {
  const ids = Array.from({ length: n }, (_, i) => `member-${String(i).padStart(4, '0')}`)
  const roundId = `scale-${n}-${degree ?? 'full'}-${dropped}`
  const neighbourhood: NeighbourhoodInit | undefined =
    degree === undefined ? undefined : { degree, seed: roundId, members: ids }
  const threshold = degree === undefined ? Math.floor(n / 2) + 1 : neighbourhoodThreshold(degree)
  const hood = neighbourhood === undefined ? {} : { neighbourhood }
  let memberMs = 0
  let coordinatorMs = 0
  let memberBytes = 0
  let shares = 0
  const member = <T>(f: () => T): T => {
    const t0 = performance.now()
    const out = f()
    memberMs += performance.now() - t0
    return out
  }
  const coord = <T>(f: () => T): T => {
    const t0 = performance.now()
    const out = f()
    coordinatorMs += performance.now() - t0
    return out
  }
  const clients = ids.map((memberId) =>
    member(() => new SecureAggregationClient({ memberId, roundId, threshold, vectorLength: words, ...hood })),
  )
  const agg = coord(() => new SecureAggregator({ roundId, threshold, vectorLength: words, ...hood }))
  for (const c of clients) {
    const keys = member(() => c.advertiseKeys())
    memberBytes += 96
    coord(() => agg.receiveKeys(keys))
  }
  const roster = coord(() => agg.roster())
  for (const c of clients) {
    const t0 = performance.now()
    const msg = await c.shareKeys(roster)
    memberMs += performance.now() - t0
    shares += msg.shares.length
    for (const s of msg.shares) memberBytes += s.ciphertext.length + 2 * s.from.length
    coord(() => agg.receiveShares(msg))
  }
  const gone = new Set(ids.slice(1, 1 + dropped))
  const routed = new Map<string, EncryptedShare[]>()
  for (const c of clients)
    if (!gone.has(c.memberId))
      routed.set(
        c.memberId,
        coord(() => agg.sharesFor(c.memberId)),
      )
  const input = new Uint32Array(words)
  for (const c of clients) {
    if (gone.has(c.memberId)) continue
    const masked = member(() => c.maskInput(input, routed.get(c.memberId)!))
    memberBytes += masked.masked.byteLength
    coord(() => agg.receiveMaskedInput(masked))
  }
  const request = coord(() => agg.unmaskRequest())
  for (const c of clients) {
    if (gone.has(c.memberId)) continue
    const response = member(() => c.unmask(request))
    memberBytes += (response.selfSeedShares.length + response.maskKeyShares.length) * 40
    coord(() => agg.receiveUnmaskResponse(response))
  }
  const t0 = performance.now()
  await agg.finish()
  coordinatorMs += performance.now() - t0
  return {
    members: n,
    mode: degree === undefined ? 'full' : `sparse k=${degree}`,
    dropped,
    memberMs: memberMs / n,
    sharesPerMember: shares / n,
    memberBytes: memberBytes / n,
    coordinatorMs,
  }
}

/**
 * Runs the scaling simulation; the full protocol stops at 255 members (one-byte Shamir x coordinates).
 * @example const rows = await runSecAggScale({ words: 10_000 })
 */
export async function runSecAggScale(
  options: { words?: number; sizes?: number[] } = {},
): Promise<ScaleRow[]> {
  const words = options.words ?? 10_000
  const rows: ScaleRow[] = []
  for (const n of options.sizes ?? [10, 100, 1000]) {
    for (const dropped of [0, 2]) {
      if (n <= 255) rows.push(await simulate(n, words, dropped, undefined))
      rows.push(await simulate(n, words, dropped, defaultNeighbourhoodDegree(n)))
    }
  }
  return rows
}

/** The rows as text, with the growth from the smallest size (per-member cost should track log n). */
export function formatScaleRows(rows: readonly ScaleRow[], words: number): string {
  const lines = [
    `secure aggregation at scale (simulated in one process, ${words}-word vectors): cost of one round`,
    `${'members'.padStart(7)}  ${'mode'.padEnd(12)} ${'dropped'.padStart(7)}  ${'member ms'.padStart(9)}  ${'shares/member'.padStart(13)}  ${'member KB sent'.padStart(14)}  ${'coordinator ms'.padStart(14)}`,
  ]
  for (const r of rows) {
    lines.push(
      `${String(r.members).padStart(7)}  ${r.mode.padEnd(12)} ${String(r.dropped).padStart(7)}  ${r.memberMs.toFixed(2).padStart(9)}  ${r.sharesPerMember.toFixed(0).padStart(13)}  ${(r.memberBytes / 1024).toFixed(1).padStart(14)}  ${r.coordinatorMs.toFixed(1).padStart(14)}`,
    )
  }
  lines.push(
    '  (full protocol: at most 255 members; its member cost grows with n, the sparse one with log n)',
  )
  return lines.join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const words = Number(process.argv[2] ?? 10_000)
  console.log(formatScaleRows(await runSecAggScale({ words }), words))
}
