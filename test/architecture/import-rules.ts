/**
 * The import rules of DESIGN.md, as enforced by `import-rules.unit.test.ts`. Read this table to know what a
 * domain may use; change it (and docs/ARCHITECTURE.md) when the architecture changes, not to silence the test.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'

/** Files directly under src/ that every domain may import: small, dependency-free helpers. */
export const SHARED_ROOT_FILES = [
  'atomic-file.ts',
  'error-codes.ts',
  'errors.ts',
  'log.ts',
  'progress.ts',
  'seeded-random.ts',
  'ttl-cache.ts',
]

/**
 * Which domains each domain may import (always through the target's `index.ts`). `node` is the composition
 * root and may import every domain; `cli` is an entry point that starts a node or calls one.
 */
export const ALLOWED_IMPORTS: Record<string, readonly string[] | 'any'> = {
  node: 'any',
  cli: 'any',
  api: ['governance', 'inference', 'federated', 'store', 'policy', 'metering', 'data'],
  governance: ['chain'],
  policy: ['chain'],
  metering: ['chain', 'net', 'inference'],
  data: ['chain', 'training'],
  inference: ['store', 'net', 'policy', 'gguf'],
  federated: ['net', 'chain', 'store', 'gguf', 'aggregation', 'training'],
  training: ['gguf', 'aggregation'],
  aggregation: [],
  store: ['net'],
  chain: [],
  net: [],
  gguf: [],
}

/** Packages that only some domains may import: nothing below `api/` knows HTTP; only the network side knows libp2p. */
export const PACKAGE_RULES: { pattern: RegExp; what: string; allowedIn: readonly string[] }[] = [
  { pattern: /^(hono|@hono\/)/, what: 'HTTP (hono)', allowedIn: ['api', 'node'] },
  {
    pattern: /^(libp2p|@libp2p\/|@chainsafe\/libp2p)/,
    what: 'libp2p',
    allowedIn: ['net', 'store', 'inference', 'federated', 'metering', 'node'],
  },
]

export interface SourceFile {
  /** Path relative to the repository root, e.g. `src/api/index.ts`. */
  path: string
  text: string
}

export interface ImportViolation {
  file: string
  line: number
  specifier: string
  rule: string
}

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

/** The domain of a path under src/ (`src/store/x.ts` -> `store`), or `(root)` for files directly under src/. */
export function domainOf(path: string): string {
  const parts = normalize(path).split('/')
  return parts.length > 2 ? (parts[1] as string) : '(root)'
}

/** Checks every import of the given source files against the rules; returns the violations. */
export function checkImports(files: readonly SourceFile[]): ImportViolation[] {
  const out: ImportViolation[] = []
  for (const file of files) {
    const from = domainOf(file.path)
    for (const m of file.text.matchAll(IMPORT_RE)) {
      const specifier = (m[1] ?? m[2]) as string
      const line = file.text.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0)
      const rule = violatedRule(file.path, from, specifier)
      if (rule !== undefined) out.push({ file: file.path, line, specifier, rule })
    }
  }
  return out
}

function violatedRule(path: string, from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) {
    for (const p of PACKAGE_RULES) {
      if (p.pattern.test(specifier) && !p.allowedIn.includes(from))
        return `${from}/ must not import ${p.what}; only ${p.allowedIn.join(', ')} may`
    }
    return undefined
  }
  const target = normalize(join(dirname(path), specifier))
  if (!target.startsWith('src/')) return `${specifier} leaves src/`
  const to = domainOf(target)
  if (to === from) return undefined
  if (to === '(root)') {
    const name = relative('src', target)
    if (from === '(root)' || SHARED_ROOT_FILES.includes(name)) return undefined
    return `src/${name} is not a shared root file (${SHARED_ROOT_FILES.join(', ')})`
  }
  if (from === '(root)') return `a shared root file must not import a domain (${to}/)`
  const allowed = ALLOWED_IMPORTS[from]
  if (allowed === undefined) return `${from}/ is not a known domain: add it to ALLOWED_IMPORTS`
  if (allowed !== 'any' && !allowed.includes(to))
    return `${from}/ must not import ${to}/ (DESIGN.md import rules)`
  if (target !== `src/${to}/index.ts`)
    return `${from}/ imports ${to}/ past its entry point: use src/${to}/index.ts`
  return undefined
}

/** Every .ts file under `dir`, as repository-relative paths (generated ABIs left out: they import nothing). */
export function readSourceTree(repoRoot: string, dir = 'src'): SourceFile[] {
  const out: SourceFile[] = []
  const walk = (rel: string) => {
    for (const name of readdirSync(join(repoRoot, rel)).sort()) {
      const p = join(rel, name)
      if (statSync(join(repoRoot, p)).isDirectory()) walk(p)
      else if (name.endsWith('.ts')) out.push({ path: p, text: readFileSync(join(repoRoot, p), 'utf8') })
    }
  }
  walk(dir)
  return out
}
