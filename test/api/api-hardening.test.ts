import assert from 'node:assert/strict'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { ApiKeyStore } from '../../src/api/api-keys/api-key-store.ts'
import { createApi } from '../../src/api/index.ts'
import { Metrics } from '../../src/api/metrics.ts'
import { openAiRoutes } from '../../src/api/openai/index.ts'
import type { Governance } from '../../src/governance/index.ts'
import type { InferenceApi } from '../../src/inference/index.ts'
import { silentLogger } from '../../src/log.ts'
import { loadNodeConfig } from '../../src/node/load-config.ts'
import { tmpDir } from '../helpers/tmp-dir.ts'

// The attacks of the API audit (issue 9, item 11), run against the real Hono apps. Governance and the
// inference service are never reached by these requests, so they are absent.
const neverCalled = new Proxy({}, { get: () => assert.fail('the request reached a use case') })

/** A request body that counts how many bytes the server pulled from it. */
function countingBody(totalBytes: number) {
  let pulled = 0
  const chunk = new Uint8Array(64 * 1024)
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= totalBytes) return controller.close()
      pulled += chunk.byteLength
      controller.enqueue(chunk)
    },
  })
  return { stream, pulled: () => pulled }
}

function commonsApi(metrics?: Metrics) {
  return createApi(
    { apiToken: 'the-token' },
    {
      governance: neverCalled as Governance,
      log: silentLogger,
      accounts: async () => [],
      chainInfo: async () => ({}),
      warp: async () => 0n,
      health: async () => ({}),
      metrics,
    },
  )
}

describe('API hardening', () => {
  test('an unauthenticated write is refused before its body is read: a 16 MB body is not buffered', async () => {
    const body = countingBody(16 * 1024 * 1024)
    const res = await commonsApi().request('/api/models', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(16 * 1024 * 1024) },
      body: body.stream,
      duplex: 'half',
    } as RequestInit)
    assert.equal(res.status, 401)
    assert.ok(body.pulled() <= 128 * 1024, `pulled ${body.pulled()} bytes of an unauthenticated body`)
  })

  test('unauthenticated requests to made-up paths do not grow the metrics label set', async () => {
    const metrics = new Metrics()
    const app = commonsApi(metrics)
    for (let i = 0; i < 500; i++) await app.request(`/probe-${i}/x`)
    for (let i = 0; i < 500; i++) await app.request(`/api/probe-${i}`, { method: 'POST' })
    const lines = (await metrics.render())
      .split('\n')
      .filter((l) => l.startsWith('commons_http_requests_total'))
    assert.ok(lines.length <= 4, `label sets: ${lines.join('\n')}`)
    assert.ok(lines.some((l) => l.includes('route="unmatched"') && l.endsWith(' 500')))
  })

  test('/v1 refuses a POST that is not JSON (a cross-site form post) with 415, and reads no body without a key', async () => {
    await using dir = await tmpDir()
    const keys = new ApiKeyStore({ path: join(dir.path, 'api-keys.json') })
    const { key } = await keys.create({ label: 'test' })
    const v1 = openAiRoutes(
      {},
      {
        inference: {
          resolver: neverCalled,
          router: neverCalled,
          admission: neverCalled,
          load: () => 0,
        } as unknown as InferenceApi,
        apiKeys: keys,
        log: silentLogger,
      },
    )
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      const res = await v1.request('/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': type },
        body: '{"model":"m","messages":[]}',
      })
      assert.equal(res.status, 415, type)
      const err = ((await res.json()) as { error: { code: string; type: string } }).error
      assert.equal(err.code, 'unsupported_media_type')
      assert.equal(err.type, 'invalid_request_error')
    }
    const body = countingBody(8 * 1024 * 1024)
    const res = await v1.request('/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: body.stream,
      duplex: 'half',
    } as RequestInit)
    assert.equal(res.status, 401)
    assert.ok(body.pulled() <= 128 * 1024, `pulled ${body.pulled()} bytes without a key`)
  })

  test('inference.open (no API keys) is refused unless the API listens on loopback', async () => {
    await using dir = await tmpDir()
    const config = join(dir.path, 'config.json')
    await assert.rejects(
      loadNodeConfig(config, { api: { host: '0.0.0.0' }, inference: { open: true } }),
      (e: Error) => e.name === 'InvalidConfigError' && /loopback/.test(e.message),
    )
    const ok = await loadNodeConfig(config, { api: { host: '127.0.0.1' }, inference: { open: true } })
    assert.equal(ok.inference.open, true)
    const keys = await loadNodeConfig(config, { api: { host: '0.0.0.0' } })
    assert.equal(keys.inference.open, false)
  })
})

describe('browser attacks on the node API', () => {
  test('DNS rebinding: a request addressed to a foreign host name is refused; IPs, localhost and allowed names pass', async () => {
    const app = createApi(
      { apiToken: 'the-token', allowedHosts: ['node.university.example'] },
      {
        governance: neverCalled as Governance,
        log: silentLogger,
        accounts: async () => [],
        chainInfo: async () => ({ mode: 'embedded', rpcUrl: 'http://127.0.0.1:9545' }),
        warp: async () => 0n,
        health: async () => ({}),
      },
    )
    const get = (host: string) => app.request('http://x/healthz', { headers: { host } })
    assert.equal((await get('rebind.attacker.example:8480')).status, 403)
    for (const ok of [
      '127.0.0.1:8480',
      'localhost:8480',
      '[::1]:8480',
      '10.1.2.3',
      'node.university.example:8480',
    ])
      assert.equal((await get(ok)).status, 200, ok)
  })

  test('a cross-site write (foreign Origin) is refused even with the token; the chain URL is shown only to the token holder', async () => {
    const app = createApi(
      { apiToken: 'the-token' },
      {
        governance: neverCalled as Governance,
        log: silentLogger,
        accounts: async () => [],
        chainInfo: async () => ({ mode: 'embedded', rpcUrl: 'http://127.0.0.1:9545' }),
        warp: async () => 5n,
        health: async () => ({}),
      },
    )
    const warp = (origin?: string) =>
      app.request('http://127.0.0.1:8480/api/chain/warp', {
        method: 'POST',
        headers: {
          host: '127.0.0.1:8480',
          authorization: 'Bearer the-token',
          'content-type': 'application/json',
          ...(origin ? { origin } : {}),
        },
        body: JSON.stringify({ seconds: 60 }),
      })
    assert.equal((await warp('https://evil.example')).status, 403)
    assert.equal((await warp('http://127.0.0.1:8480')).status, 200)
    assert.equal((await warp()).status, 200)

    const info = async (auth?: string) =>
      (await (
        await app.request('http://127.0.0.1:8480/api/chain', {
          headers: { host: '127.0.0.1:8480', ...(auth ? { authorization: auth } : {}) },
        })
      ).json()) as Record<string, unknown>
    assert.equal((await info()).rpcUrl, undefined, 'no chain endpoint without the token')
    assert.equal((await info('Bearer wrong')).rpcUrl, undefined)
    assert.equal((await info('Bearer the-token')).rpcUrl, 'http://127.0.0.1:9545')
  })
})
