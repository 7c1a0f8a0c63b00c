import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { readSourceTree } from './import-rules.ts'

const ROOT = join(import.meta.dirname, '..', '..')
const MAX_FILE_LINES = 400

describe('layout limits (docs/ARCHITECTURE.md)', () => {
  test(`no file in src/ is over ${MAX_FILE_LINES} lines`, () => {
    const long = readSourceTree(ROOT)
      .filter((f) => !f.path.includes('/generated/'))
      .map((f) => ({ path: f.path, lines: f.text.split('\n').length - 1 }))
      .filter((f) => f.lines > MAX_FILE_LINES)
      .map((f) => `${f.path}: ${f.lines} lines`)
    assert.deepEqual(long, [])
  })

  test('no function in src/ is over 120 lines (biome noExcessiveLinesPerFunction, biome.json)', () => {
    const biome = join(ROOT, 'node_modules', '.bin', 'biome')
    const r = spawnSync(biome, ['lint', '--only=complexity/noExcessiveLinesPerFunction', 'src'], {
      cwd: ROOT,
      encoding: 'utf8',
    })
    assert.equal(r.status, 0, r.stdout + r.stderr)
  })
})
