import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Hono } from 'hono'
import { errorResponse } from '../../src/api/error-response.ts'
import { EventHub } from '../../src/api/event-hub.ts'
import { eventRoutes } from '../../src/api/routes/events.ts'
import { silentLogger } from '../../src/log.ts'

const TOKEN = 't'.repeat(32)

function app(maxSubscribers: number) {
  const hub = new EventHub(
    { pollMs: 20, refreshEvery: 1000, maxSubscribers },
    { head: async () => '5', topics: { models: async () => [{ name: 'm' }] } },
    silentLogger,
  )
  const a = new Hono()
  a.onError((err, ctx) => errorResponse(ctx, err, silentLogger))
  a.route('/api/events', eventRoutes({ hub, apiToken: TOKEN, heartbeatMs: 50 }))
  return { a, hub }
}

/** Reads the stream until `until` matches the text so far (or 3 s pass). */
async function readUntil(res: Response, until: RegExp): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let text = ''
  const deadline = Date.now() + 3_000
  while (!until.test(text) && Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    text += decoder.decode(value)
  }
  await reader.cancel()
  return text
}

test('the event stream needs the token, sends the topics and a heartbeat, and serves a bounded number of pages', async (t) => {
  const { a, hub } = app(1)
  // The hub's and the stream's timers are unref'd (a server's sockets keep the process alive); here nothing would.
  const keepAlive = setInterval(() => {}, 1_000)
  t.after(() => clearInterval(keepAlive))
  assert.equal((await a.request('/api/events')).status, 401)
  assert.equal((await a.request('/api/events', { headers: { authorization: 'Bearer wrong' } })).status, 401)

  const ctrl = new AbortController()
  const res = await a.request('/api/events', {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: ctrl.signal,
  })
  assert.equal(res.status, 200)
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/)
  const full = await a.request('/api/events', { headers: { authorization: `Bearer ${TOKEN}` } })
  assert.equal(full.status, 503)
  assert.equal(((await full.json()) as { error: { code: string } }).error.code, 'EventStreamFullError')

  const text = await readUntil(res, /: ping/)
  assert.match(text, /event: head\ndata: \{"block":"5"\}/)
  assert.match(text, /event: models\ndata: \[\{"name":"m"\}\]/)
  assert.match(text, /: ping/)
  ctrl.abort()
  hub.stop()
})
