// Runs the benchmarks, each in its own process so one's memory and JIT state do not skew another.
// Usage: npm run bench [-- governance replication ...]   (default: all)
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'

const ALL = [
  'governance',
  'federated',
  'inference-engine',
  'trainer',
  'replication',
  'metering',
  'eval',
  'local-commons',
]
const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL
let failed = 0
for (const name of names) {
  const file = join(import.meta.dirname, `${name}.ts`)
  if (!existsSync(file)) {
    console.error(`no benchmark named ${name} (have: ${ALL.join(', ')})`)
    failed++
    continue
  }
  console.log(`\n=== ${name} ===`)
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    stdio: 'inherit',
    env: { ...process.env, COMMONS_LOG_LEVEL: 'warn' },
  })
  if (r.status !== 0) failed++
}
process.exit(failed === 0 ? 0 : 1)
