import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, test } from 'node:test'
import { pathToFileURL } from 'node:url'
import { ERROR_CODES, errorCodeOf } from '../src/error-codes.ts'
import { CommonsError } from '../src/errors.ts'

// Every error class in src/ must be known to the one boundary table (by its own entry or its category's),
// so HTTP, the CLI and wire frames never turn a deliberate error into "internal error".
const SRC = join(import.meta.dirname, '..', 'src')
/** Modules that do something when imported (the CLI entry runs the CLI). */
const SIDE_EFFECT_MODULES = new Set(['cli/main.ts'])

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const p = join(dir, name)
      return statSync(p).isDirectory() ? sourceFiles(p) : name.endsWith('.ts') ? [p] : []
    })
}

type ErrorClass = new (...args: never[]) => Error

async function exportedErrorClasses(): Promise<Map<string, { cls: ErrorClass; file: string }>> {
  const found = new Map<string, { cls: ErrorClass; file: string }>()
  for (const file of sourceFiles(SRC)) {
    const rel = relative(SRC, file)
    if (SIDE_EFFECT_MODULES.has(rel)) continue
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>
    for (const value of Object.values(mod)) {
      if (typeof value === 'function' && value.prototype instanceof Error)
        found.set(value.name, { cls: value as ErrorClass, file: rel })
    }
  }
  return found
}

/** `errorCodeOf` on a bare instance of the class (no constructor run: some take required arguments). */
function codeOfClass(cls: ErrorClass) {
  return errorCodeOf(Object.create(cls.prototype) as Error)
}

describe('the error table', () => {
  test('knows every error class in src/, each through its own entry or its category', async () => {
    const classes = await exportedErrorClasses()
    assert.ok(classes.size > 50, `expected to find the project's error classes, found ${classes.size}`)
    const unknown = [...classes]
      .filter(([name, { cls }]) => name !== 'CommonsError' && !codeOfClass(cls).known)
      .map(([name, { file }]) => `${name} (src/${file})`)
    assert.deepEqual(unknown, [], 'extend a category of src/errors.ts or add an entry to src/error-codes.ts')
  })

  test('every error class declared in src/ is exported, so the check above sees it', async () => {
    const exported = await exportedErrorClasses()
    const declared = sourceFiles(SRC).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bclass\s+(\w+Error)\s+extends\b/g)].map((m) => ({
        name: m[1] as string,
        file: relative(SRC, file),
      })),
    )
    assert.ok(declared.length > 50)
    assert.deepEqual(
      declared.filter((d) => !exported.has(d.name)).map((d) => `${d.name} (src/${d.file})`),
      [],
    )
  })

  test('every entry maps to an HTTP status, an OpenAI error type and an exit code', () => {
    for (const [name, code] of Object.entries(ERROR_CODES)) {
      assert.ok(code.status >= 400 && code.status < 600, `${name}: status ${code.status}`)
      assert.match(code.type, /^[a-z_]+$/, `${name}: type`)
      assert.ok(Number.isInteger(code.exit) && code.exit > 0, `${name}: exit ${code.exit}`)
    }
  })

  test('fails on an error class that extends no category', () => {
    class StrayError extends CommonsError {}
    assert.equal(codeOfClass(StrayError).known, false)
  })
})
