// Runs the benchmarks, each in its own process so one's memory and JIT state do not skew another, and ends
// with one table of every goal: the goal, this run's figure, met or not (each bench reports its goal rows
// through bench/goals.ts).
// Usage: npm run bench [-- [--quick] [--size MB[,MB]] governance replication ...]   (default: all; --quick:
// reduced sizes; --size: the replication sizes, e.g. --size 200,1024)
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { GoalRow } from './goals.ts'

const ALL = [
  'governance',
  'federated',
  'inference-engine',
  'inference',
  'trainer',
  'replication',
  'metering',
  'eval',
  'serving',
  'local-commons',
  'memory',
  'heap-growth',
]
const args = process.argv.slice(2)
const quick = args.includes('--quick')
const sizeAt = args.indexOf('--size')
const size = sizeAt >= 0 ? args[sizeAt + 1] : undefined
const picked = args.filter((a, i) => a !== '--quick' && (sizeAt < 0 || (i !== sizeAt && i !== sizeAt + 1)))
const names = picked.length > 0 ? picked : ALL
const dir = mkdtempSync(join(tmpdir(), 'commons-bench-goals-'))
const goalsFile = join(dir, 'goals.jsonl')
const failed: string[] = []
const started = loadavg()[0]!
for (const name of names) {
  const file = join(import.meta.dirname, `${name}.ts`)
  if (!existsSync(file)) {
    console.error(`no benchmark named ${name} (have: ${ALL.join(', ')})`)
    failed.push(name)
    continue
  }
  console.log(`\n=== ${name}${quick ? ' (quick)' : ''} ===`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    stdio: 'inherit',
    env: {
      ...process.env,
      COMMONS_LOG_LEVEL: 'warn',
      BENCH_GOALS_FILE: goalsFile,
      ...(quick && { BENCH_QUICK: '1' }),
      ...(size !== undefined && { BENCH_SIZE_MB: size }),
    },
  })
  if (r.status !== 0) failed.push(name)
}

const rows: GoalRow[] = existsSync(goalsFile)
  ? readFileSync(goalsFile, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as GoalRow)
  : []
rmSync(dir, { recursive: true, force: true })
for (const name of failed) rows.push({ bench: name, goal: '(benchmark failed)', figure: '-', met: false })
const head = ['bench', 'goal', 'figure', 'met?']
const body = rows.map((r) => [r.bench, r.goal, r.figure, r.met ? 'met' : 'NOT met'])
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)))
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')
console.log(
  `\n=== goals${quick ? ' (quick run: reduced sizes)' : ''}; load average ${started.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end ===`,
)
console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n'))
const met = rows.filter((r) => r.met).length
console.log(`${met} of ${rows.length} goals met`)
process.exit(failed.length === 0 ? 0 : 1)
