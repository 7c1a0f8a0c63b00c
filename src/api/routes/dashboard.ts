import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { NotFoundError } from '../../errors.ts'

/** The dashboard's source folder (plain ES modules, served as they are: no build step). */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../web/', import.meta.url))

interface Asset {
  body: Buffer
  gzip: Buffer
  type: string
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
}

// Everything the page loads comes from this node; no inline script, no third party, no framing.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
}

/** The vendored UI libraries (Preact, its hooks, htm), their bare imports rewritten to relative ones. */
function vendorAssets(): Record<string, string> {
  const require = createRequire(import.meta.url)
  const preact = dirname(require.resolve('preact'))
  const hooks = dirname(require.resolve('preact/hooks'))
  const htm = dirname(require.resolve('htm'))
  return {
    'vendor/preact.js': readFileSync(join(preact, 'preact.module.js'), 'utf8'),
    'vendor/hooks.js': readFileSync(join(hooks, 'hooks.module.js'), 'utf8').replaceAll(
      /from\s*"preact"/g,
      'from"./preact.js"',
    ),
    'vendor/htm.js': readFileSync(join(htm, 'htm.module.js'), 'utf8'),
  }
}

/** Reads the dashboard's files once, with their gzip form (the page is small and fixed). */
export function loadDashboardAssets(dir = DASHBOARD_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  const add = (name: string, text: string) => {
    const body = Buffer.from(text)
    const ext = name.slice(name.lastIndexOf('.'))
    assets.set(name, {
      body,
      gzip: gzipSync(body, { level: 9 }),
      type: TYPES[ext] ?? 'application/octet-stream',
    })
  }
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !(entry.name.slice(entry.name.lastIndexOf('.')) in TYPES)) continue
    const path = join(entry.parentPath, entry.name)
    add(path.slice(dir.length).replaceAll('\\', '/'), readFileSync(path, 'utf8'))
  }
  for (const [name, text] of Object.entries(vendorAssets())) add(name, text)
  return assets
}

/** `/` (the dashboard page) and `/dashboard/*` (its scripts and styles), gzipped when the browser accepts it. */
export function dashboardRoutes(assets = loadDashboardAssets()): Hono {
  const serve = (name: string, accept: string | undefined) => {
    const a = assets.get(name)
    if (!a) throw new NotFoundError(`The dashboard has no file ${name}.`)
    const gzip = /\bgzip\b/.test(accept ?? '')
    return new Response(new Uint8Array(gzip ? a.gzip : a.body), {
      headers: {
        ...SECURITY_HEADERS,
        'content-type': a.type,
        vary: 'accept-encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      },
    })
  }
  return new Hono()
    .get('/', (ctx) => serve('index.html', ctx.req.header('accept-encoding')))
    .get('/dashboard/*', (ctx) =>
      serve(ctx.req.path.slice('/dashboard/'.length), ctx.req.header('accept-encoding')),
    )
}
