import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { changedTopics, EventHub, type HubEvent } from '../../src/api/event-hub.ts'
import { silentLogger } from '../../src/log.ts'

test('changedTopics names the topics whose value differs, new ones included', () => {
  const last = new Map([
    ['head', '{"block":"1"}'],
    ['models', '[]'],
  ])
  assert.deepEqual(changedTopics(last, { head: '{"block":"2"}', models: '[]', peers: '[]' }), [
    'head',
    'peers',
  ])
  assert.deepEqual(changedTopics(last, { head: '{"block":"1"}', models: '[]' }), [])
})

test('the hub pushes a topic once per change, to every subscriber, and polls only while someone listens', async () => {
  let head = 1
  let proposals = ['a']
  let reads = 0
  const hub = new EventHub(
    { pollMs: 10, refreshEvery: 1000, maxSubscribers: 2 },
    {
      head: async () => String(head),
      topics: {
        proposals: async () => {
          reads++
          return proposals
        },
      },
    },
    silentLogger,
  )
  const a: HubEvent[] = []
  const b: HubEvent[] = []
  const offA = hub.subscribe((e) => a.push(e))
  await sleep(60)
  const offB = hub.subscribe((e) => b.push(e))
  // A late subscriber gets the current values at once.
  assert.deepEqual(b.map((e) => e.event).sort(), ['head', 'proposals'])
  assert.throws(() => hub.subscribe(() => {}), { name: 'EventStreamFullError' })
  proposals = ['a', 'b']
  head = 2
  await sleep(60)
  const pushed = a.filter((e) => e.event === 'proposals').map((e) => JSON.parse(e.data))
  assert.deepEqual(pushed, [['a'], ['a', 'b']], 'each value once, in order')
  assert.deepEqual(JSON.parse(b.at(-1)?.data ?? ''), ['a', 'b'])
  offA()
  offB()
  const after = reads
  head = 3
  await sleep(60)
  assert.equal(reads, after, 'no reads without subscribers')
  assert.equal(hub.size, 0)
  hub.stop()
})

test('a topic that fails to load is skipped, the others still flow', async () => {
  const hub = new EventHub(
    { pollMs: 10, refreshEvery: 1, maxSubscribers: 1 },
    {
      head: async () => '7',
      topics: {
        broken: async () => {
          throw new Error('down')
        },
        models: async () => ['m'],
      },
    },
    silentLogger,
  )
  const got: HubEvent[] = []
  const off = hub.subscribe((e) => got.push(e))
  await sleep(40)
  off()
  hub.stop()
  assert.deepEqual(got.map((e) => e.event).sort(), ['head', 'models'])
})
