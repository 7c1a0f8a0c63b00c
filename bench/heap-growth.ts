// Does a node's memory grow with the requests it serves? RSS cannot tell a leak from the allocator and heap
// settling (bench/memory.ts), so this measures the JS heap after full garbage collections: one node in this
// process, its keyless loopback /v1 (the operator pays), after a warm-up, then twice N requests (streamed
// and not), free and paid (the demo model voted paid, a deposit, metering on). Run: npm run bench -- heap-growth
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { silentLogger } from '../src/log.ts'
import { createNode } from '../src/node/index.ts'
import { tmpDir } from '../test/helpers/tmp-dir.ts'
import { voteDemoPaid } from '../test/metering/fixtures.ts'
import { type GoalRow, QUICK, reportGoals } from './goals.ts'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

const WARMUP = QUICK ? 50 : 200
const N = QUICK ? 250 : 1_000
/** Goal: the heap after GC grows by at most this per 1,000 requests. */
const GOAL_MB_PER_1000 = 8

function heapMB(): number {
  gc()
  gc()
  return process.memoryUsage().heapUsed / 2 ** 20
}

async function growth(paid: boolean): Promise<{ heaps: number[]; perThousand: number }> {
  await using dir = await tmpDir('commons-heap-')
  await using node = await createNode(
    { dataDir: dir.path, config: { api: { port: 0 }, inference: { open: true } } },
    { log: silentLogger },
  )
  if (paid) {
    await voteDemoPaid(node, { promptPricePer1k: 1_000n, completionPricePer1k: 3_000n })
    const token = (await readFile(join(dir.path, 'api-token'), 'utf8')).trim()
    const res = await fetch(`${node.apiUrl}/api/usage/deposit`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ account: 'node', amountWei: (10n ** 18n).toString() }),
    })
    if (!res.ok) throw new Error(`deposit: ${await res.text()}`)
    await new Promise((r) => setTimeout(r, 2_100)) // the policy cache time
  }
  let i = 0
  const ask = async () => {
    const res = await fetch(`${node.apiUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'commons-demo',
        messages: [{ role: 'user', content: `question ${i}` }],
        max_tokens: 4,
        stream: i++ % 2 === 0,
      }),
    })
    await res.text()
    if (!res.ok) throw new Error(`/v1 answered ${res.status}`)
  }
  for (let k = 0; k < WARMUP; k++) await ask()
  const heaps = [heapMB()]
  for (const _ of [1, 2]) {
    for (let k = 0; k < N; k++) await ask()
    heaps.push(heapMB())
  }
  // The slope over the second batch (the first may still fill caches of bounded size).
  return { heaps, perThousand: ((heaps[2]! - heaps[1]!) * 1_000) / N }
}

const rows: GoalRow[] = []
for (const paid of [false, true]) {
  const r = await growth(paid)
  const label = paid ? 'paid (metered)' : 'free'
  console.log(
    `${label.padEnd(15)} heap after GC ${r.heaps.map((h) => h.toFixed(1)).join(' -> ')} MB ` +
      `(after ${WARMUP}, +${N}, +${N} requests): ${r.perThousand.toFixed(2)} MB per 1,000`,
  )
  rows.push({
    bench: 'heap-growth',
    goal: `JS heap growth, ${label}, <= ${GOAL_MB_PER_1000} MB per 1,000 requests`,
    figure: `${r.perThousand.toFixed(2)} MB`,
    met: r.perThousand <= GOAL_MB_PER_1000,
  })
}
reportGoals(rows)
