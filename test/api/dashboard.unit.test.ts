import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { gunzipSync } from 'node:zlib'
import { Hono } from 'hono'
import { errorResponse } from '../../src/api/error-response.ts'
import { DASHBOARD_DIR, dashboardRoutes, loadDashboardAssets } from '../../src/api/routes/dashboard.ts'
import { WindowLimiter } from '../../src/api/routes/vote-relay.ts'
import { silentLogger } from '../../src/log.ts'

// The dashboard is served as its source (no build step): these checks stand in for "built assets match
// the source": every import the page makes resolves to a served file, and no bare specifier is left.

test('every module the page imports is served, and no bare import remains', () => {
  const assets = loadDashboardAssets()
  for (const [name, asset] of assets) {
    if (!name.endsWith('.js')) continue
    const text = asset.body.toString()
    for (const m of text.matchAll(/(?:import|from)\s*["']([^"']+)["']/g)) {
      const spec = m[1] as string
      assert.ok(spec.startsWith('.'), `${name} imports "${spec}", which a browser cannot resolve`)
      const target = new URL(spec, `http://x/dashboard/${name}`).pathname.slice('/dashboard/'.length)
      assert.ok(assets.has(target), `${name} imports ${spec}: ${target} is not served`)
    }
  }
  assert.ok(assets.has('index.html') && assets.has('app.js') && assets.has('vendor/preact.js'))
  assert.equal(
    assets.get('app.js')?.body.toString(),
    readFileSync(join(DASHBOARD_DIR, 'app.js'), 'utf8'),
    'served as written',
  )
})

test('the page is served gzipped with a strict CSP; unknown and traversing paths are 404', async () => {
  const app = new Hono()
  app.onError((err, ctx) => errorResponse(ctx, err, silentLogger))
  app.route('/', dashboardRoutes())
  const res = await app.request('/', { headers: { 'accept-encoding': 'gzip, br' } })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-encoding'), 'gzip')
  assert.match(
    gunzipSync(Buffer.from(await res.arrayBuffer())).toString(),
    /<script type="module" src="\/dashboard\/app.js">/,
  )
  const csp = res.headers.get('content-security-policy') ?? ''
  assert.match(csp, /script-src 'self'/)
  assert.match(csp, /frame-ancestors 'none'/)
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff')
  const plain = await app.request('/dashboard/app.js')
  assert.equal(plain.headers.get('content-encoding'), null)
  assert.match(plain.headers.get('content-type') ?? '', /text\/javascript/)
  for (const path of ['/dashboard/nope.js', '/dashboard/../package.json', '/dashboard/%2e%2e/package.json']) {
    const r = await app.request(path)
    assert.equal(r.status, 404, path)
  }
})

test('the relay limiter allows `limit` per window, then refuses until the window passes', () => {
  let now = 0
  const limiter = new WindowLimiter(2, 60_000, () => now)
  assert.deepEqual([limiter.take(), limiter.take(), limiter.take()], [true, true, false])
  now = 59_999
  assert.equal(limiter.take(), false)
  now = 60_000
  assert.equal(limiter.take(), true)
})
