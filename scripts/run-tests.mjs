#!/usr/bin/env node
// Finds test files and hands them to node's test runner (Node 20 has no glob support in --test).
// Usage: node scripts/run-tests.mjs [unit|integration|all] [path-filter...]
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

const [kind = 'all', ...filters] = process.argv.slice(2)
const files = []
function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (name.endsWith('.test.ts')) files.push(path)
  }
}
walk('test')
const selected = files.filter((f) => {
  if (kind === 'unit' && !f.endsWith('.unit.test.ts')) return false
  if (kind === 'integration' && f.endsWith('.unit.test.ts')) return false
  return filters.length === 0 || filters.some((x) => f.includes(x))
})
if (selected.length === 0) {
  console.error(`no test files match ${kind} ${filters.join(' ')}`)
  process.exit(1)
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2'
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...selected],
  { stdio: 'inherit', env: { ...process.env, COMMONS_LOG_LEVEL: process.env.COMMONS_LOG_LEVEL ?? 'silent' } },
)
process.exit(result.status ?? 1)
