import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatStatus, usageFromMetrics } from '../../src/cli/status-view.ts'

const METRICS = [
  '# TYPE commons_http_requests_total counter',
  'commons_http_requests_total{method="POST",route="/v1/chat/completions",status="200"} 7',
  'commons_http_requests_total{method="POST",route="/v1/chat/completions",status="402"} 2',
  'commons_http_requests_total{method="GET",route="/api/models",status="200"} 40',
  'commons_tokens_served_total{model="commons-demo"} 120',
  'garbage line',
].join('\n')

test('usage counts /v1 requests (and failures) and any token counter from the metrics, ignoring the rest', () => {
  assert.deepEqual(usageFromMetrics(METRICS), {
    requests: 9,
    failed: 2,
    tokens: { commons_tokens_served_total: 120 },
  })
})

test('status shows every part on one screen, the chain as unavailable when it is, and parts that did not answer', () => {
  const screen = formatStatus({
    apiUrl: 'http://127.0.0.1:8480',
    health: {
      status: 'degraded',
      address: '0xabc',
      peerId: '16Uiu2',
      chain: { mode: 'rpc', status: 'unavailable' },
    },
    peers: { self: { multiaddrs: [] }, peers: [{ peerId: 'p1', connected: true, serves: [{}] }] },
    serving: { models: ['commons-demo'] },
    store: { contents: [{ root: 'ab'.repeat(32), name: 'demo.gguf', size: 2 ** 20 }] },
    metrics: METRICS,
  })
  assert.match(screen, /^chain {5}UNAVAILABLE \(rpc\), head block \?/m)
  assert.match(screen, /^peers {5}1 connected, 1 known/m)
  assert.match(screen, /^serving {3}commons-demo/m)
  assert.match(screen, /^store {5}1 item\(s\), 1\.0 MB/m)
  assert.match(screen, /^training {2}did not answer/m)
  assert.match(screen, /^usage {5}9 \/v1 request\(s\) since start, 2 refused or failed/m)
})
